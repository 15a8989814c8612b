package dev.roomcast.server;

import dev.roomcast.broker.RoomEvent;
import dev.roomcast.hub.PreparedEvent;
import dev.roomcast.metrics.NamespaceMeters;
import dev.roomcast.protocol.JsonEvents;
import dev.roomcast.protocol.SeedText;
import dev.roomcast.protocol.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A room event with its frame bytes, built lazily at most once per {@link WireFormat} by
 * whichever loop first needs them and then shared by every recipient on every loop. Thread-safe.
 * Frames are freed when the last reference to the event is released.
 */
final class EncodedEvent implements PreparedEvent {

    /** Marks a format that does not render this kind of event. */
    private static final ByteBuf NOT_RENDERED = Unpooled.EMPTY_BUFFER;

    private final RoomEvent event;
    private final ByteBufAllocator alloc;
    private final NamespaceMeters meters;
    private final AtomicInteger references = new AtomicInteger(1);
    private volatile ByteBuf seedText;
    private volatile ByteBuf json;

    EncodedEvent(RoomEvent event, ByteBufAllocator alloc, NamespaceMeters meters) {
        this.event = event;
        this.alloc = alloc;
        this.meters = meters;
    }

    /** Where its deliveries are counted: the meters of its room's namespace. */
    NamespaceMeters meters() {
        return meters;
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
    ByteBuf frame(WireFormat format) {
        ByteBuf frame = format == WireFormat.SEED_TEXT ? seedText : json;
        if (frame == null) {
            frame = encodeOnce(format);
        }
        return frame == NOT_RENDERED ? null : frame;
    }

    @Override
    public EncodedEvent retain() {
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
                seedText = text == null ? NOT_RENDERED : WebSocketFrames.text(alloc, text);
            }
            return seedText;
        }
        if (json == null) {
            byte[] utf8 = JsonEvents.render(event);
            json = utf8 == null ? NOT_RENDERED : WebSocketFrames.text(alloc, utf8);
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
