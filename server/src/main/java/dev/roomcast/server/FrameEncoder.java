package dev.roomcast.server;

import dev.roomcast.broker.RoomEvent;
import dev.roomcast.hub.EventEncoder;
import dev.roomcast.hub.PreparedEvent;
import io.netty.buffer.ByteBufAllocator;

/** The hub's {@link EventEncoder} on Netty buffers: one {@link EncodedEvent} per broadcast. Stateless. */
final class FrameEncoder implements EventEncoder {

    private final ByteBufAllocator alloc;
    private final FrameCompression compression;

    FrameEncoder(ByteBufAllocator alloc, FrameCompression compression) {
        this.alloc = alloc;
        this.compression = compression;
    }

    @Override
    public PreparedEvent prepare(RoomEvent event) {
        return new EncodedEvent(event, alloc, compression);
    }
}
