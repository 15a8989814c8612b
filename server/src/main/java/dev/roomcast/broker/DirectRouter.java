package dev.roomcast.broker;

import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.UserDisconnect;
import dev.roomcast.room.UserReport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Routes direct messages to the nodes that hold a session of their recipient: the user side of the
 * broker SPI.
 *
 * <p>Threading: thread-safe. Every method may be called from any thread and never blocks.
 */
public interface DirectRouter {

    /** How long {@link #ask} waits for the nodes' answers. */
    Duration ASK_TIMEOUT = Duration.ofSeconds(1);

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

    /**
     * Asks every node that added {@code user}, this one included, for its {@link DirectListener#onAsk report},
     * routed like {@link #direct}. Completes with the reports of the nodes that answered within
     * {@link #ASK_TIMEOUT}, none when no node holds the user.
     */
    CompletionStage<List<UserReport>> ask(String user);
}
