package dev.roomcast.hub;

import dev.roomcast.room.RoomEvent;
import java.util.concurrent.atomic.AtomicInteger;

/** An encoder for hub unit tests that counts prepares and outstanding references, to check "encode once" and balanced ref-counting. */
final class CountingEncoder implements SharedEventFactory {
    final AtomicInteger prepared = new AtomicInteger();
    final AtomicInteger liveReferences = new AtomicInteger();

    @Override
    public SharedEvent prepare(RoomEvent event) {
        prepared.incrementAndGet();
        liveReferences.incrementAndGet();
        return new SharedEvent() {
            @Override public RoomEvent event() { return event; }
            @Override public SharedEvent retain() { liveReferences.incrementAndGet(); return this; }
            @Override public void release() { liveReferences.decrementAndGet(); }
        };
    }
}
