package dev.roomcast.server.frame;

import dev.roomcast.hub.SharedEvent;
import dev.roomcast.hub.SharedEventFactory;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.room.RoomEvent;
import io.netty.buffer.ByteBufAllocator;

/**
 * The hub's {@link SharedEventFactory} on Netty buffers: one {@link EventFrames} per broadcast, which
 * carries the meters of its room's namespace so that its deliveries are counted without looking the
 * namespace up again. Stateless; any thread.
 */
public final class EventFramesFactory implements SharedEventFactory {

    private final ByteBufAllocator alloc;
    private final ServerMetrics metrics;
    private final FrameCompression compression;

    public EventFramesFactory(ByteBufAllocator alloc, ServerMetrics metrics, FrameCompression compression) {
        this.alloc = alloc;
        this.metrics = metrics;
        this.compression = compression;
    }

    @Override
    public SharedEvent prepare(RoomEvent event) {
        return new EventFrames(event, alloc, metrics.namespaceOf(event.room()), compression);
    }
}
