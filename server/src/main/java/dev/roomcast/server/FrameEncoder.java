package dev.roomcast.server;

import dev.roomcast.hub.EventEncoder;
import dev.roomcast.hub.PreparedEvent;
import dev.roomcast.room.RoomEvent;
import io.netty.buffer.ByteBufAllocator;

/** The hub's {@link EventEncoder} on Netty buffers: one {@link EncodedEvent} per broadcast. Stateless. */
final class FrameEncoder implements EventEncoder {

    private final ByteBufAllocator alloc;

    FrameEncoder(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    @Override
    public PreparedEvent prepare(RoomEvent event) {
        return new EncodedEvent(event, alloc);
    }
}
