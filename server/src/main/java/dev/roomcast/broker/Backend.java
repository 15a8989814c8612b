package dev.roomcast.broker;

/**
 * The four parts of the broker SPI one node uses, built together because they share a store (and,
 * with Redis, its connections): rooms and history, presence, direct-message routing, and which rooms and
 * users some node holds (for the lifecycle webhooks).
 *
 * <p>Threading: thread-safe (immutable; its parts are thread-safe).
 */
public record Backend(Broker broker, PresenceStore presence, DirectRouter directs, LifecycleLedger ledger)
        implements AutoCloseable {

    /** The in-process backend of a single node, around {@code broker}. */
    public static Backend local(LocalBroker broker) {
        return new Backend(broker, new LocalPresenceStore(broker), new LocalDirectRouter(), new LocalLifecycleLedger());
    }

    /** Closes the ledger and presence first (they use the broker's store), then the broker and its store. */
    @Override
    public void close() {
        ledger.close();
        presence.close();
        broker.close();
    }
}
