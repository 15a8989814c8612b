package dev.roomcast.broker.redis;

/**
 * What the Redis backend ({@link RedisBackend}) tells about its Redis, for the node's metrics: how long
 * commands take, which commands nobody waits for failed, reconnects, and the catch-ups after them. Every method
 * does nothing unless overridden, so a caller listens only to what it needs.
 *
 * <p>Threading: called on Lettuce I/O threads and the link's health thread, concurrently;
 * implementations are thread-safe and never block.
 */
public interface RedisObserver {

    /** A command of type {@code command} (e.g. {@code EVALSHA}, {@code PUBLISH}) completed after {@code nanos}. */
    default void commandCompleted(String command, long nanos) {
    }

    /** A departure or presence change could not be sent; members elsewhere miss that announcement. */
    default void announceFailed() {
    }

    /** This node's presence heartbeat failed for a room; the next one repairs it. */
    default void heartbeatFailed() {
    }

    /** A connection to Redis was re-established after it dropped. */
    default void reconnected() {
    }

    /** After a reconnect, a room read back {@code messages} messages published meanwhile. */
    default void caughtUp(int messages) {
    }
}
