package dev.roomcast.server.frame;

import dev.roomcast.broker.RoomEvent;
import dev.roomcast.hub.EventEncoder;
import dev.roomcast.hub.PreparedEvent;
import io.netty.buffer.ByteBufAllocator;

/** The hub's {@link EventEncoder} on Netty buffers: one {@link EncodedEvent} per broadcast. Stateless. */
public final class FrameEncoder implements EventEncoder {

    private final ByteBufAllocator alloc;

    public FrameEncoder(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    @Override
    public PreparedEvent prepare(RoomEvent event) {
        return new EncodedEvent(event, alloc);
    }
}
