package dev.roomcast.bench;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The text of a bench message: {@code ~<send time in ns>~} padded with {@code x} to the asked
 * size, written and read as bytes so neither side builds a String per message. The send time is
 * {@link System#nanoTime()} of this process, so publisher and receivers of one measurement live
 * in the same process. Stateless.
 */
final class Payload {

    static final byte MARK = '~';
    static final int MIN_BYTES = 24;
    static final int MAX_BYTES = 60_000;

    private static final byte[] PADDING = new byte[MAX_BYTES];

    static {
        Arrays.fill(PADDING, (byte) 'x');
    }

    private Payload() {
    }

    /** Appends a message text of {@code bytes} bytes carrying {@code sentNanos} to {@code out}. */
    static void write(ByteBuf out, long sentNanos, int bytes) {
        int start = out.writerIndex();
        out.ensureWritable(bytes);
        out.writeByte(MARK);
        writeDecimal(out, sentNanos);
        out.writeByte(MARK);
        out.writeBytes(PADDING, 0, bytes - (out.writerIndex() - start));
    }

    private static void writeDecimal(ByteBuf out, long value) {
        if (value < 0) {
            out.writeByte('-');
            value = -value;
        }
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            digits++;
        }
        int end = out.writerIndex() + digits;
        for (int at = end - 1; at >= end - digits; at--) {
            out.setByte(at, (int) ('0' + value % 10));
            value /= 10;
        }
        out.writerIndex(end);
    }

    /** The send time carried by the payload whose mark is at {@code markIndex}. Borrows the frame. */
    static long sentNanos(ByteBuf frame, int markIndex) {
        long value = 0;
        boolean negative = false;
        int end = frame.writerIndex();
        int at = markIndex + 1;
        if (at < end && frame.getByte(at) == '-') {
            negative = true;
            at++;
        }
        for (; at < end; at++) {
            byte b = frame.getByte(at);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
        }
        return negative ? -value : value;
    }
}
