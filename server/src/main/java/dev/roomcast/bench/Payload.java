package dev.roomcast.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The text of a bench message: {@code ~<send time in ns>~} padded to the asked size with English
 * words drawn from a small vocabulary by a fixed seed, so that it compresses about as chat text does
 * (a run of one letter would make permessage-deflate look far better than it is), written and read as
 * bytes so neither side builds a String per message. The send time is
 * {@link System#nanoTime()} of this process, so publisher and receivers of one measurement live
 * in the same process. Stateless.
 */
final class Payload {

    static final byte MARK = '~';
    static final int MIN_BYTES = 24;
    static final int MAX_BYTES = 60_000;

    private static final String[] WORDS = ("the a to and of in is you that it for on was with he as have be at one"
            + " this they we from or by had not but what some can out other were all there when up use your how said"
            + " an each she which do their time if will way about many then them write would like so these her long"
            + " make thing see him two has look more day could go come did number sound no most people my over know"
            + " water than call first who may down side been now find any new work part take get place made live where"
            + " after back little only round man year came show every good me give our under name very through just"
            + " form sentence great think say help low line differ turn cause much mean before move right boy old too"
            + " same tell does set three want air well also play small end put home read hand port large spell add"
            + " even land here must big high such follow act why ask men change went light kind off need house").split(" ");
    private static final byte[] PADDING = words(MAX_BYTES);

    private static byte[] words(int bytes) {
        Random random = new Random(42);
        StringBuilder text = new StringBuilder(bytes + 16);
        while (text.length() < bytes) {
            text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        return text.substring(0, bytes).getBytes(StandardCharsets.US_ASCII);
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
