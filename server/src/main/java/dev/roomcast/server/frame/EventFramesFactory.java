package dev.roomcast.server.frame;

import dev.roomcast.hub.SharedEvent;
import dev.roomcast.hub.SharedEventFactory;
import dev.roomcast.room.RoomEvent;
import io.netty.buffer.ByteBufAllocator;

/** The hub's {@link SharedEventFactory} on Netty buffers: one {@link EventFrames} per broadcast. Stateless; any thread. */
public final class EventFramesFactory implements SharedEventFactory {

    private final ByteBufAllocator alloc;

    public EventFramesFactory(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    @Override
    public SharedEvent prepare(RoomEvent event) {
        return new EventFrames(event, alloc);
    }
}
