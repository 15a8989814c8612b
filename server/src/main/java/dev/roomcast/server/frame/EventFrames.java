package dev.roomcast.server.frame;

import dev.roomcast.hub.SharedEvent;
import dev.roomcast.metrics.NamespaceMeters;
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
 * {@link WireFormat} and one more compressed per format for members that negotiated permessage-deflate,
 * each built at most once by whichever loop first needs it and then shared by every recipient on every
 * loop. Thread-safe. Frames are freed when the last reference to the event is released.
 */
public final class EventFrames implements SharedEvent {

    /** Marks a format that does not render this kind of event. */
    private static final ByteBuf NOT_RENDERED = Unpooled.EMPTY_BUFFER;

    private final RoomEvent event;
    private final ByteBufAllocator alloc;
    private final NamespaceMeters meters;
    private final FrameCompression compression;
    private final AtomicInteger references = new AtomicInteger(1);
    private volatile ByteBuf seedText;
    private volatile ByteBuf json;
    /** For members that negotiated permessage-deflate: compressed, or the plain frame again when not worth it. */
    private volatile ByteBuf seedTextDeflated;
    private volatile ByteBuf jsonDeflated;

    public EventFrames(RoomEvent event, ByteBufAllocator alloc, NamespaceMeters meters, FrameCompression compression) {
        this.event = event;
        this.alloc = alloc;
        this.meters = meters;
        this.compression = compression;
    }

    /** Where its deliveries are counted: the meters of its room's namespace. */
    public NamespaceMeters meters() {
        return meters;
    }

    @Override
    public RoomEvent event() {
        return event;
    }

    /**
     * The frame for this format, compressed when {@code deflate} (the member negotiated permessage-deflate)
     * and the room's compression and the payload's size call for it; {@code null} when the format does
     * not show this event. Borrows: valid while the caller holds a reference; a caller that writes it
     * writes a retained duplicate.
     */
    public ByteBuf frame(WireFormat format, boolean deflate) {
        ByteBuf frame = format == WireFormat.SEED_TEXT ? (deflate ? seedTextDeflated : seedText)
                : (deflate ? jsonDeflated : json);
        if (frame == null) {
            frame = deflate ? deflateOnce(format) : encodeOnce(format);
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

    private synchronized ByteBuf deflateOnce(WireFormat format) {
        ByteBuf deflated = format == WireFormat.SEED_TEXT ? seedTextDeflated : jsonDeflated;
        if (deflated != null) {
            return deflated;
        }
        ByteBuf plain = encodeOnce(format);
        if (plain == NOT_RENDERED) {
            deflated = NOT_RENDERED;
        } else {
            int offset = TextFrameBytes.payloadOffset(plain);
            int payloadBytes = plain.readableBytes() - offset;
            // Below the threshold, or in a room that does not compress: the plain frame, with a reference of its own.
            deflated = compression.compresses(event, payloadBytes)
                    ? TextFrameBytes.deflatedText(alloc,
                            compression.deflate(plain.nioBuffer(plain.readerIndex() + offset, payloadBytes)))
                    : plain.retain();
        }
        if (format == WireFormat.SEED_TEXT) {
            seedTextDeflated = deflated;
        } else {
            jsonDeflated = deflated;
        }
        return deflated;
    }

    private synchronized void freeFrames() {
        if (seedText != null && seedText != NOT_RENDERED) {
            seedText.release();
        }
        if (json != null && json != NOT_RENDERED) {
            json.release();
        }
        if (seedTextDeflated != null && seedTextDeflated != NOT_RENDERED) {
            seedTextDeflated.release();
        }
        if (jsonDeflated != null && jsonDeflated != NOT_RENDERED) {
            jsonDeflated.release();
        }
        seedText = null;
        json = null;
        seedTextDeflated = null;
        jsonDeflated = null;
    }
}
