package dev.roomcast.broker;

/**
 * Receives the events of the rooms this node subscribed to, and the direct messages to the users
 * this node holds.
 *
 * <p>Called on the broker's own thread (the publishing thread for {@link LocalBroker}, a
 * client I/O thread for remote brokers). Implementations must not block and must not call
 * back into the {@link Broker} synchronously. Events of one room arrive in publication order.
 */
@FunctionalInterface
public interface BrokerListener {

    void onEvent(RoomEvent event);

    /**
     * A direct message to a user this node announced with {@link Broker#addUser}. A listener that
     * never adds users receives none, which is why it may leave this out.
     */
    default void onDirect(DirectMessage message) {
    }

    /** A disconnect order for a user this node announced with {@link Broker#addUser}; see {@link #onDirect}. */
    default void onDisconnect(UserDisconnect disconnect) {
    }
}
