package dev.roomcast.hub;

/**
 * Where the hub reports how long live room events took from reaching this node's hub to being
 * flushed to their members' sockets: one sample per loop batch, never one per delivery.
 *
 * <p>Threading: called on the event loops, concurrently; implementations are thread-safe and never block.
 */
@FunctionalInterface
public interface DeliveryLatency {

    /** The oldest event of a batch a loop has just flushed reached the hub {@code nanos} ago. */
    void batchFlushed(long nanos);
}
