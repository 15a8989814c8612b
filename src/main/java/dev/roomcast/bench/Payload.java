package dev.roomcast.bench;

import io.netty.buffer.ByteBuf;

/**
 * The text of a bench message: {@code ~<send time in ns>~} padded with {@code x} to the asked
 * size. The send time is {@link System#nanoTime()} of this process, so publisher and receivers
 * of one measurement live in the same process. Stateless.
 */
final class Payload {

    static final byte MARK = '~';

    private Payload() {
    }

    /** A message text of {@code bytes} bytes carrying {@code sentNanos}. */
    static String of(long sentNanos, int bytes) {
        StringBuilder text = new StringBuilder(bytes).append('~').append(sentNanos).append('~');
        while (text.length() < bytes) {
            text.append('x');
        }
        return text.toString();
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
