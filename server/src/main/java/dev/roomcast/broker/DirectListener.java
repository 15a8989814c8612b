package dev.roomcast.broker;

import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.UserDisconnect;

/**
 * Receives the direct messages to the users this node added with {@link DirectRouter#addUser}.
 *
 * <p>Threading: called on the router's own thread (the sender's for {@link LocalDirectRouter}, a client
 * I/O thread for Redis); must not block and must not call back into the router synchronously.
 */
@FunctionalInterface
public interface DirectListener {

    void onDirect(DirectMessage message);

    /** A disconnect order for a user this node added; a listener that never disconnects users may leave it out. */
    default void onDisconnect(UserDisconnect disconnect) {
    }
}
