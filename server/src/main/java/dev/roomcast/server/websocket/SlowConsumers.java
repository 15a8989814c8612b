package dev.roomcast.server.websocket;

import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.room.RoomEvent;

/**
 * The node's rules for members that do not read fast enough: each room's policy (its namespace's
 * {@code slow-consumer}) and how many bytes may wait in a connection's {@link PendingFrames}.
 *
 * <p>Threading: immutable; shared by every connection.
 *
 * @param pendingLimitBytes what may wait in front of a full socket buffer: half of
 *                          {@code --outbound-buffer-bytes}, the socket buffer's high water mark being the other half
 */
public record SlowConsumers(Namespaces namespaces, int pendingLimitBytes, ServerMetrics metrics) {

    /** The rules of a node whose outbound bound is {@code outboundBufferBytes}. */
    public static SlowConsumers of(Namespaces namespaces, int outboundBufferBytes, ServerMetrics metrics) {
        return new SlowConsumers(namespaces, outboundBufferBytes / 2, metrics);
    }

    /** The policy of the event's room. */
    Namespace.SlowConsumer policyOf(RoomEvent event) {
        return namespaces.of(event.room()).slowConsumer();
    }

    /** An empty queue for one connection that has just fallen behind. */
    PendingFrames newQueue() {
        return new PendingFrames(pendingLimitBytes, metrics);
    }
}
