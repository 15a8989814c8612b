package dev.roomcast.broker;

/**
 * The three parts of the broker SPI one node uses, built together because they share a store (and,
 * with Redis, its connections): rooms and history, presence, and direct-message routing.
 *
 * <p>Threading: thread-safe (immutable; its parts are thread-safe).
 */
public record Backend(Broker broker, PresenceStore presence, DirectRouter directs) implements AutoCloseable {

    /** The in-process backend of a single node, around {@code broker}. */
    public static Backend local(LocalBroker broker) {
        return new Backend(broker, new LocalPresenceStore(broker), new LocalDirectRouter());
    }

    /** Closes presence first (it says goodbye through the broker's store), then the broker and its store. */
    @Override
    public void close() {
        presence.close();
        broker.close();
    }
}
