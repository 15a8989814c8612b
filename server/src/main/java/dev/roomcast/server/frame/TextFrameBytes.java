package dev.roomcast.server.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Builds the bytes of one complete server-to-client text frame (RFC 6455 section 5.2), header and payload, so one
 * buffer can be written to many channels. Server frames are never masked, which is what makes
 * the bytes identical for every recipient. The written buffer is a plain {@link ByteBuf}, so
 * Netty's WebSocket encoder passes it through untouched; tests decode these bytes with Netty's
 * own decoder to check them.
 */
public final class TextFrameBytes {

    private static final int FIN_TEXT = 0x81;
    /** FIN, RSV1 (the permessage-deflate bit of RFC 7692: the payload is compressed), text. */
    private static final int FIN_DEFLATED_TEXT = 0xC1;

    private TextFrameBytes() {
    }

    /** Returns a retained buffer holding one text frame with the given UTF-8 payload. */
    public static ByteBuf text(ByteBufAllocator alloc, byte[] utf8) {
        ByteBuf frame = alloc.directBuffer(headerLength(utf8.length) + utf8.length);
        writeHeader(frame, FIN_TEXT, utf8.length);
        return frame.writeBytes(utf8);
    }

    /** Returns a retained buffer holding one compressed text frame (RSV1 set) with the given deflated payload. */
    static ByteBuf deflatedText(ByteBufAllocator alloc, byte[] deflated) {
        ByteBuf frame = alloc.directBuffer(headerLength(deflated.length) + deflated.length);
        writeHeader(frame, FIN_DEFLATED_TEXT, deflated.length);
        return frame.writeBytes(deflated);
    }

    /** Where the payload of a frame built here starts, counted from the frame's reader index. Borrows {@code frame}. */
    static int payloadOffset(ByteBuf frame) {
        int length = frame.getByte(frame.readerIndex() + 1) & 0x7F;
        return length <= 125 ? 2 : length == 126 ? 4 : 10;
    }

    /**
     * Returns a retained buffer holding one text frame with {@code text} encoded as UTF-8: by the JDK's encoder,
     * then one bulk copy. Netty's own encoder sized the text and then wrote it byte by byte through the direct
     * buffer's bounds checks (on Java 24 and later Netty does not use {@code sun.misc.Unsafe} unless told to):
     * 8.6 % of the event loops' Java samples in an echo run, against 3.7 % this way (docs/benchmarks.md, "Echo:
     * server CPU per message in a room of one").
     */
    public static ByteBuf text(ByteBufAllocator alloc, String text) {
        return text(alloc, text.getBytes(StandardCharsets.UTF_8));
    }

    private static int headerLength(int payloadLength) {
        return payloadLength <= 125 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    }

    private static void writeHeader(ByteBuf frame, int firstByte, int payloadLength) {
        frame.writeByte(firstByte);
        if (payloadLength <= 125) {
            frame.writeByte(payloadLength);
        } else if (payloadLength <= 0xFFFF) {
            frame.writeByte(126).writeShort(payloadLength);
        } else {
            frame.writeByte(127).writeLong(payloadLength);
        }
    }
}
