package dev.roomcast.server.frame;

import dev.roomcast.config.Namespaces;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.room.RoomEvent;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Which room messages are compressed for members that negotiated permessage-deflate (RFC 7692), and
 * the compressing itself. Every message is compressed on its own, from a reset deflater (the server
 * negotiates {@code server_no_context_takeover}), which is what lets one compressed frame go to every
 * such member: a broadcast is compressed once per wire format, not once per socket.
 *
 * <p>Threading: thread-safe; each thread that compresses has its own deflater.
 */
public final class FrameCompression {

    /** The empty stored block that ends a sync-flushed deflate stream; RFC 7692 section 7.2.1 has it removed. */
    private static final int TAIL_BYTES = 4;
    /** zlib's default level: most of the gain of 9 at a fraction of its cost. */
    private static final int LEVEL = 6;
    private static final ThreadLocal<Deflater> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater(LEVEL, true));

    private final boolean nodeWide;
    private final Namespaces namespaces;
    private final int minBytes;
    private final ServerMetrics metrics;

    private FrameCompression(boolean nodeWide, Namespaces namespaces, int minBytes, ServerMetrics metrics) {
        this.nodeWide = nodeWide;
        this.namespaces = namespaces;
        this.minBytes = minBytes;
        this.metrics = metrics;
    }

    /** The node's compression, from {@code --compression}, {@code --compression-min-bytes} and the namespaces. */
    public static FrameCompression of(RoomcastConfig config, ServerMetrics metrics) {
        return new FrameCompression(config.network().compression(), config.namespaces(),
                config.network().compressionMinBytes(), metrics);
    }

    /** Whether handshakes accept permessage-deflate at all: some rooms compress. */
    public static boolean offered(RoomcastConfig config) {
        return config.network().compression() || config.namespaces().anyCompresses();
    }

    /** Whether a frame of {@code event} with a payload of {@code payloadBytes} is sent compressed. */
    boolean compresses(RoomEvent event, int payloadBytes) {
        return payloadBytes >= minBytes && namespaces.of(event.room()).compresses(nodeWide);
    }

    /**
     * The payload compressed as one permessage-deflate message: raw deflate, sync-flushed, without the
     * final empty block. Reads {@code payload} from its position to its limit.
     */
    byte[] deflate(ByteBuffer payload) {
        Deflater deflater = DEFLATERS.get();
        deflater.reset();
        deflater.setInput(payload);
        byte[] out = new byte[payload.remaining() / 2 + 64];
        int length = 0;
        while (true) {
            length += deflater.deflate(out, length, out.length - length, Deflater.SYNC_FLUSH);
            if (length < out.length) {
                break;
            }
            out = Arrays.copyOf(out, out.length * 2);
        }
        metrics.messageCompressed();
        return Arrays.copyOf(out, length - TAIL_BYTES);
    }
}
