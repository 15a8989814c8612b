package dev.roomcast.broker;

import dev.roomcast.room.DirectMessage;

/**
 * Receives the direct messages to the users this node added with {@link DirectRouter#addUser}.
 *
 * <p>Threading: called on the router's own thread (the sender's for {@link LocalDirectRouter}, a client
 * I/O thread for Redis); must not block and must not call back into the router synchronously.
 */
@FunctionalInterface
public interface DirectListener {

    void onDirect(DirectMessage message);
}
