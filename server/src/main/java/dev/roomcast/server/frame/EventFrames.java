package dev.roomcast.server.frame;

import dev.roomcast.hub.SharedEvent;
import dev.roomcast.protocol.JsonEvents;
import dev.roomcast.protocol.SeedText;
import dev.roomcast.protocol.WireFormat;
import dev.roomcast.room.RoomEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The transport's {@link SharedEvent}: a room event with its complete WebSocket frames, one per
 * {@link WireFormat}, each built at most once by whichever loop first needs it and then shared by
 * every recipient on every loop. Thread-safe.
 * Frames are freed when the last reference to the event is released.
 */
public final class EventFrames implements SharedEvent {

    /** Marks a format that does not render this kind of event. */
    private static final ByteBuf NOT_RENDERED = Unpooled.EMPTY_BUFFER;

    private final RoomEvent event;
    private final ByteBufAllocator alloc;
    private final AtomicInteger references = new AtomicInteger(1);
    private volatile ByteBuf seedText;
    private volatile ByteBuf json;

    public EventFrames(RoomEvent event, ByteBufAllocator alloc) {
        this.event = event;
        this.alloc = alloc;
    }

    @Override
    public RoomEvent event() {
        return event;
    }

    /**
     * The frame for this format, or {@code null} when the format does not show this event.
     * Borrows: valid while the caller holds a reference; a caller that writes it writes a
     * retained duplicate.
     */
    public ByteBuf frame(WireFormat format) {
        ByteBuf frame = format == WireFormat.SEED_TEXT ? seedText : json;
        if (frame == null) {
            frame = encodeOnce(format);
        }
        return frame == NOT_RENDERED ? null : frame;
    }

    @Override
    public EventFrames retain() {
        if (references.getAndIncrement() <= 0) {
            throw new IllegalStateException("retain after the last release");
        }
        return this;
    }

    @Override
    public void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            freeFrames();
        } else if (left < 0) {
            throw new IllegalStateException("released more often than retained");
        }
    }

    private synchronized ByteBuf encodeOnce(WireFormat format) {
        if (format == WireFormat.SEED_TEXT) {
            if (seedText == null) {
                String text = SeedText.render(event);
                seedText = text == null ? NOT_RENDERED : TextFrameBytes.text(alloc, text);
            }
            return seedText;
        }
        if (json == null) {
            byte[] utf8 = JsonEvents.render(event);
            json = utf8 == null ? NOT_RENDERED : TextFrameBytes.text(alloc, utf8);
        }
        return json;
    }

    private synchronized void freeFrames() {
        if (seedText != null && seedText != NOT_RENDERED) {
            seedText.release();
        }
        if (json != null && json != NOT_RENDERED) {
            json.release();
        }
        seedText = null;
        json = null;
    }
}
