package dev.roomcast.broker;

import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.UserDisconnect;
import java.util.concurrent.CompletionStage;

/**
 * Routes direct messages to the nodes that hold a session of their recipient: the user side of the
 * broker SPI.
 *
 * <p>Threading: thread-safe. Every method may be called from any thread and never blocks.
 */
public interface DirectRouter {

    /** Starts delivery to {@code listener}; called once, before any other method. */
    void start(DirectListener listener);

    /**
     * Makes direct messages to {@code user} reach this node's listener; idempotent. The hub calls it
     * for every session of the user and waits for it before telling the client it is connected, so a
     * user who has been welcomed can be reached.
     */
    CompletionStage<Void> addUser(String user);

    /** Stops direct messages to {@code user} reaching this node; called when its last session here ends. */
    CompletionStage<Void> removeUser(String user);

    /**
     * Delivers a direct message to every node that added its recipient, this one included.
     * Completes with whether any node did: {@code false} means the user is connected nowhere.
     */
    CompletionStage<Boolean> direct(DirectMessage message);

    /**
     * Delivers a disconnect order to every node that added its user, this one included, the way
     * {@link #direct} routes a message. Completes with whether any node did.
     */
    CompletionStage<Boolean> disconnectUser(UserDisconnect disconnect);
}
