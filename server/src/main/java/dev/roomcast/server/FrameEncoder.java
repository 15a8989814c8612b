package dev.roomcast.server;

import dev.roomcast.broker.RoomEvent;
import dev.roomcast.hub.EventEncoder;
import dev.roomcast.hub.PreparedEvent;
import dev.roomcast.metrics.ServerMetrics;
import io.netty.buffer.ByteBufAllocator;

/**
 * The hub's {@link EventEncoder} on Netty buffers: one {@link EncodedEvent} per broadcast, which
 * carries the meters of its room's namespace so that its deliveries are counted without looking the
 * namespace up again. Stateless.
 */
final class FrameEncoder implements EventEncoder {

    private final ByteBufAllocator alloc;
    private final ServerMetrics metrics;

    FrameEncoder(ByteBufAllocator alloc, ServerMetrics metrics) {
        this.alloc = alloc;
        this.metrics = metrics;
    }

    @Override
    public PreparedEvent prepare(RoomEvent event) {
        return new EncodedEvent(event, alloc, metrics.namespaceOf(event.room()));
    }
}
