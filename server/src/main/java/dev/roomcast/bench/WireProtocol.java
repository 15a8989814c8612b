package dev.roomcast.bench;

import dev.roomcast.protocol.SeedText;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * How the bench talks to a server: which URI a room member opens, what it sends to join and to
 * publish, and where the bench's own payload starts in a frame the server sends. Immutable.
 */
public enum WireProtocol {

    /** The tutorial's text endpoints: one socket per room at {@code /ws/{room}}, plain strings. */
    SEED {
        @Override
        String path(String room) {
            return "/ws/" + room;
        }

        @Override
        String joinFrame(String room) {
            return null;
        }

        @Override
        byte[] publishPrefix(String room) {
            return NOTHING;
        }

        @Override
        byte[] publishSuffix() {
            return NOTHING;
        }

        @Override
        byte[] expectedPrefix(String room, boolean echoPath) {
            String prefix = echoPath ? SeedText.echo("") : SeedText.message(room, "");
            return prefix.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        int payloadIndex(ByteBuf frame, byte[] prefix) {
            int start = frame.readerIndex();
            if (frame.readableBytes() <= prefix.length) {
                return -1;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (frame.getByte(start + i) != prefix[i]) {
                    return -1;
                }
            }
            int payload = start + prefix.length;
            return frame.getByte(payload) == Payload.MARK ? payload : -1;
        }
    },

    /** The JSON protocol v1 at {@code /v1/ws}: join, then publish; messages carry the text in {@code "text"}. */
    JSON {
        private static final byte[] TEXT_FIELD = "\"text\":\"".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] END_OF_TEXT = "\"}".getBytes(StandardCharsets.US_ASCII);

        @Override
        String path(String room) {
            return "/v1/ws";
        }

        @Override
        String joinFrame(String room) {
            return "{\"type\":\"join\",\"room\":\"" + room + "\"}";
        }

        @Override
        byte[] publishPrefix(String room) {
            return ("{\"type\":\"publish\",\"room\":\"" + room + "\",\"text\":\"").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        byte[] publishSuffix() {
            return END_OF_TEXT;
        }

        @Override
        byte[] expectedPrefix(String room, boolean echoPath) {
            return TEXT_FIELD;
        }

        @Override
        int payloadIndex(ByteBuf frame, byte[] textField) {
            int end = frame.writerIndex() - textField.length;
            for (int at = frame.readerIndex(); at < end; at++) {
                at = frame.indexOf(at, end, textField[0]);
                if (at < 0) {
                    return -1;
                }
                if (matches(frame, at, textField) && frame.getByte(at + textField.length) == Payload.MARK) {
                    return at + textField.length;
                }
            }
            return -1;
        }

        private static boolean matches(ByteBuf frame, int at, byte[] bytes) {
            for (int i = 1; i < bytes.length; i++) {
                if (frame.getByte(at + i) != bytes[i]) {
                    return false;
                }
            }
            return true;
        }
    };

    /** Path of the WebSocket a member of {@code room} opens. */
    abstract String path(String room);

    /** What a member sends right after the handshake to join {@code room}, or null when the path joins. */
    abstract String joinFrame(String room);

    private static final byte[] NOTHING = new byte[0];

    /** What a frame that publishes a text to {@code room} carries before the text. */
    abstract byte[] publishPrefix(String room);

    /** What a publish frame carries after the text. */
    abstract byte[] publishSuffix();

    /** What a frame carrying one of this room's messages starts with (or contains, for JSON). */
    abstract byte[] expectedPrefix(String room, boolean echoPath);

    /**
     * Index in {@code frame} of a bench payload's mark, or -1 when the frame carries none (a
     * "left" notice, a presence event, or a message that is not the bench's). Borrows the frame.
     */
    abstract int payloadIndex(ByteBuf frame, byte[] prefix);
}
