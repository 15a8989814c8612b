package dev.roomcast.server.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;

/**
 * Checks that text messages are UTF-8 as their bytes arrive, so that a message is failed at the
 * chop that breaks it (RFC 6455 section 8.1, "fail fast") and not only once its frame is complete,
 * which is when Netty's frame decoder and its {@code Utf8FrameValidator} first see it. It sits in
 * front of the decoder and only reads: it follows the frame headers (length and mask) to know which
 * bytes are text payload, unmasks a copy of each byte and runs it through the UTF-8 rules of Unicode
 * table 3-7; the bytes themselves go on to Netty's decoder untouched, and everything else about
 * frames (their validity, their limits) stays the decoder's business. A violation is reported as
 * Netty reports one, as an exception ({@link NotUtf8Exception}), which the endpoint hands to the
 * {@link WebSocketCloser} (1007); then checking stops. Compressed messages (RSV1, permessage-deflate) are
 * skipped: their bytes are deflate, and the endpoint checks them once inflated.
 *
 * <p>Threading: one instance per connection, confined to its event loop.
 */
public final class Utf8StreamValidator extends ChannelInboundHandlerAdapter {

    private static final int OPCODE_CONTINUATION = 0x0;
    private static final int OPCODE_TEXT = 0x1;

    /** Where in a frame the next byte belongs. */
    private enum Part { FIRST, SECOND, LENGTH, MASK, PAYLOAD }

    private Part part = Part.FIRST;
    private boolean finalFrame;
    /** RSV1 of the frame: set on the first frame of a permessage-deflate message. */
    private boolean deflatedFrame;
    private int opcode;
    private boolean maskedFrame;
    /** Bytes of the extended length or the mask key still to come. */
    private int headerBytesLeft;
    private long payloadLeft;
    private int mask;
    private int maskIndex;
    /** Whether the message the data frames belong to is text (a continuation inherits it). */
    private boolean textMessage;
    private boolean failed;
    /** UTF-8 state: continuation bytes the current character still needs, and the range the next one must be in. */
    private int needed;
    private int lowest = 0x80;
    private int highest = 0xBF;

    /** What this validator reports (a 1007); the frame decoder is still able to read the frames that follow. */
    static final class NotUtf8Exception extends CorruptedFrameException {
        NotUtf8Exception() {
            super("text message is not UTF-8");
        }
    }

    /** Bits that are clear in eight ASCII bytes. */
    private static final long NOT_ASCII = 0x8080808080808080L;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!failed && msg instanceof ByteBuf bytes) {
            scan(bytes, bytes.readerIndex(), bytes.writerIndex());
            if (failed) {
                // Reported before the bytes go on, so the connection is closing before the decoder
                // could complete the frame and hand the endpoint a message that is not UTF-8.
                ctx.fireExceptionCaught(new NotUtf8Exception());
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Checks the bytes from {@code index} to {@code end}, stopping at a violation. */
    private void scan(ByteBuf bytes, int index, int end) {
        while (index < end && !failed) {
            if (part == Part.PAYLOAD && needed == 0 && checksThisFrame()) {
                index = skipAscii(bytes, index, (int) Math.min(end, index + payloadLeft));
                if (payloadLeft == 0) {
                    endFrame();
                    continue;
                }
                if (index == end) {
                    return;
                }
            }
            take(bytes.getByte(index++) & 0xFF);
        }
    }

    /**
     * Passes over the text payload from {@code index} while it is ASCII, eight bytes at a time, unmasked as a
     * whole (eight bytes are two turns of the mask, so the mask's phase is the same after each), and returns where
     * it stopped: at {@code end}, or within the last eight bytes, which {@link #take} then checks one by one. Most
     * messages are ASCII, and this costs them one read per eight bytes instead of one per byte.
     */
    private int skipAscii(ByteBuf bytes, int index, int end) {
        int rotated = Integer.rotateLeft(mask, 8 * (maskIndex & 3));
        long mask8 = (rotated & 0xFFFFFFFFL) << 32 | (rotated & 0xFFFFFFFFL);
        int start = index;
        while (end - index >= Long.BYTES && ((bytes.getLong(index) ^ mask8) & NOT_ASCII) == 0) {
            index += Long.BYTES;
        }
        int skipped = index - start;
        maskIndex += skipped;
        payloadLeft -= skipped;
        return index;
    }

    private void take(int b) {
        switch (part) {
            case FIRST -> {
                finalFrame = (b & 0x80) != 0;
                deflatedFrame = (b & 0x40) != 0;
                opcode = b & 0x0F;
                part = Part.SECOND;
            }
            case SECOND -> {
                maskedFrame = (b & 0x80) != 0;
                int length = b & 0x7F;
                if (length >= 126) {
                    headerBytesLeft = length == 126 ? 2 : 8;
                    payloadLeft = 0;
                    part = Part.LENGTH;
                } else {
                    payloadLeft = length;
                    startMaskOrPayload();
                }
            }
            case LENGTH -> {
                payloadLeft = payloadLeft << 8 | b;
                if (--headerBytesLeft == 0) {
                    startMaskOrPayload();
                }
            }
            case MASK -> {
                mask = mask << 8 | b;
                if (--headerBytesLeft == 0) {
                    startPayload();
                }
            }
            case PAYLOAD -> {
                if (checksThisFrame()) {
                    int shift = 24 - 8 * (maskIndex++ & 3);
                    failed = !accept(b ^ (mask >>> shift & 0xFF));
                }
                if (--payloadLeft == 0) {
                    endFrame();
                }
            }
            default -> throw new IllegalStateException(part.toString());
        }
    }

    private void startMaskOrPayload() {
        mask = 0;
        if (maskedFrame) {
            headerBytesLeft = 4;
            part = Part.MASK;
        } else {
            startPayload();
        }
    }

    private void startPayload() {
        maskIndex = 0;
        if (opcode == OPCODE_TEXT) {
            // A compressed message's bytes are deflate, not text: the endpoint checks it once inflated.
            textMessage = !deflatedFrame;
            needed = 0;
        } else if (opcode != OPCODE_CONTINUATION && !isControl()) {
            textMessage = false;
        }
        part = Part.PAYLOAD;
        if (payloadLeft == 0) {
            endFrame();
        }
    }

    private boolean isControl() {
        return (opcode & 0x8) != 0;
    }

    private boolean checksThisFrame() {
        return textMessage && (opcode == OPCODE_TEXT || opcode == OPCODE_CONTINUATION);
    }

    /** A frame ended; the end of a text message must not cut a character short. */
    private void endFrame() {
        if (finalFrame && !isControl()) {
            if (checksThisFrame() && needed > 0) {
                failed = true;
            }
            textMessage = false;
        }
        part = Part.FIRST;
    }

    /** Whether {@code b} may come next in UTF-8 (Unicode table 3-7: no overlong forms, no surrogates, at most U+10FFFF). */
    private boolean accept(int b) {
        if (needed > 0) {
            if (b < lowest || b > highest) {
                return false;
            }
            needed--;
            lowest = 0x80;
            highest = 0xBF;
            return true;
        }
        if (b < 0x80) {
            return true;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            needed = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            needed = 2;
            lowest = b == 0xE0 ? 0xA0 : 0x80;
            highest = b == 0xED ? 0x9F : 0xBF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            needed = 3;
            lowest = b == 0xF0 ? 0x90 : 0x80;
            highest = b == 0xF4 ? 0x8F : 0xBF;
        } else {
            return false;
        }
        return true;
    }
}
