package dev.roomcast.server.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * Builds the bytes of one complete server-to-client text frame (RFC 6455 section 5.2), header and payload, so one
 * buffer can be written to many channels. Server frames are never masked, which is what makes
 * the bytes identical for every recipient. The written buffer is a plain {@link ByteBuf}, so
 * Netty's WebSocket encoder passes it through untouched; tests decode these bytes with Netty's
 * own decoder to check them.
 */
public final class TextFrameBytes {

    private static final int FIN_TEXT = 0x81;

    private TextFrameBytes() {
    }

    /** Returns a retained buffer holding one text frame with the given UTF-8 payload. */
    public static ByteBuf text(ByteBufAllocator alloc, byte[] utf8) {
        ByteBuf frame = alloc.directBuffer(headerLength(utf8.length) + utf8.length);
        writeHeader(frame, utf8.length);
        return frame.writeBytes(utf8);
    }

    /** Returns a retained buffer holding one text frame with {@code text} encoded as UTF-8. */
    public static ByteBuf text(ByteBufAllocator alloc, CharSequence text) {
        int length = ByteBufUtil.utf8Bytes(text);
        ByteBuf frame = alloc.directBuffer(headerLength(length) + length);
        writeHeader(frame, length);
        ByteBufUtil.writeUtf8(frame, text);
        return frame;
    }

    private static int headerLength(int payloadLength) {
        return payloadLength <= 125 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    }

    private static void writeHeader(ByteBuf frame, int payloadLength) {
        frame.writeByte(FIN_TEXT);
        if (payloadLength <= 125) {
            frame.writeByte(payloadLength);
        } else if (payloadLength <= 0xFFFF) {
            frame.writeByte(126).writeShort(payloadLength);
        } else {
            frame.writeByte(127).writeLong(payloadLength);
        }
    }
}
