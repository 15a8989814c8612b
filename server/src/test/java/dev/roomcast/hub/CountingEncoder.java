package dev.roomcast.hub;

import dev.roomcast.room.RoomEvent;
import java.util.concurrent.atomic.AtomicInteger;

/** An encoder for hub unit tests that counts prepares and outstanding references, to check "encode once" and balanced ref-counting. */
final class CountingEncoder implements EventEncoder {
    final AtomicInteger prepared = new AtomicInteger();
    final AtomicInteger liveReferences = new AtomicInteger();

    @Override
    public PreparedEvent prepare(RoomEvent event) {
        prepared.incrementAndGet();
        liveReferences.incrementAndGet();
        return new PreparedEvent() {
            @Override public RoomEvent event() { return event; }
            @Override public PreparedEvent retain() { liveReferences.incrementAndGet(); return this; }
            @Override public void release() { liveReferences.decrementAndGet(); }
        };
    }
}
