package dev.roomcast.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The room-name rules of the contract: percent-decoded, 1 to 64 Unicode code points, no control
 * characters, no bidirectional overrides, no {@code /}, not {@code .} or {@code ..}. Names starting
 * with {@code $} are reserved for rooms the server defines itself ({@link SeedText#GLOBAL_ROOM}).
 *
 * <p>Threading: stateless; thread-safe.
 */
public final class RoomNames {

    public static final int MAX_CODE_POINTS = 64;

    /** A room name that passed the rules, or the one-line reason it did not. */
    public record Checked(String name, String refusal) {
        public boolean ok() {
            return refusal == null;
        }
    }

    private RoomNames() {
    }

    /** Checks a percent-encoded path segment as a client-chosen room name. */
    public static Checked fromPathSegment(String encoded) {
        return fromPathSegment(encoded, false);
    }

    /**
     * Checks a percent-encoded path segment as a room name; {@code allowReserved} admits the
     * server-defined rooms, which the HTTP API may address by name.
     */
    public static Checked fromPathSegment(String encoded, boolean allowReserved) {
        String decoded;
        try {
            decoded = percentDecode(encoded);
        } catch (IllegalArgumentException e) {
            return new Checked(null, "room name is not valid percent-encoded UTF-8");
        }
        return check(decoded, allowReserved);
    }

    /**
     * Checks a decoded room name. {@code allowReserved} admits the server-defined rooms, which
     * clients of the JSON protocol may join by name.
     */
    public static Checked check(String name, boolean allowReserved) {
        String refusal = refusal(name, "room name");
        if (refusal != null) {
            return new Checked(null, refusal);
        }
        if (name.indexOf('/') >= 0) {
            return new Checked(null, "room name must not contain '/'");
        }
        if (name.equals(".") || name.equals("..")) {
            // A proxy in front normalises /ws/. and /ws/.. away, so such a room could never be reached.
            return new Checked(null, "room name must not be '.' or '..'");
        }
        if (name.startsWith("$") && !(allowReserved && name.equals(SeedText.GLOBAL_ROOM))) {
            return new Checked(null, "room names starting with '$' are reserved");
        }
        return new Checked(name, null);
    }

    /**
     * The rules room names and user names share: 1 to {@link #MAX_CODE_POINTS} code points, valid
     * Unicode, no control characters, no bidirectional overrides. Null when {@code name} keeps them,
     * else the one-line reason, starting with {@code what}.
     */
    static String refusal(String name, String what) {
        if (name == null || name.isEmpty()) {
            return what + " must not be empty";
        }
        if (name.codePointCount(0, name.length()) > MAX_CODE_POINTS) {
            return what + " is longer than " + MAX_CODE_POINTS + " characters";
        }
        // One pass over the code points, not a stream per rule: every text handshake checks its room name here.
        boolean surrogate = false;
        boolean control = false;
        boolean bidiOverride = false;
        for (int i = 0; i < name.length(); ) {
            int codePoint = name.codePointAt(i);
            int type = Character.getType(codePoint);
            surrogate |= type == Character.SURROGATE;
            control |= type == Character.CONTROL;
            bidiOverride |= isBidiOverride(codePoint);
            i += Character.charCount(codePoint);
        }
        if (surrogate) {
            // Only a decoded JSON string can carry one; it has no UTF-8 form, so frames would show '?'.
            return what + " must be valid Unicode";
        }
        if (control) {
            return what + " must not contain control characters";
        }
        if (bidiOverride) {
            // They make a name display as another one ("nimda" shown as "admin").
            return what + " must not contain bidirectional overrides (U+202A-U+202E, U+2066-U+2069)";
        }
        return null;
    }

    private static boolean isBidiOverride(int codePoint) {
        return codePoint >= 0x202A && codePoint <= 0x202E || codePoint >= 0x2066 && codePoint <= 0x2069;
    }

    /** Decodes %XX escapes as UTF-8 ('+' stays '+', as in a path); rejects malformed input. */
    static String percentDecode(String encoded) {
        if (encoded.indexOf('%') < 0) {
            return encoded;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            if (encoded.charAt(i) != '%') {
                int end = encoded.indexOf('%', i);
                end = end < 0 ? encoded.length() : end;
                byte[] literal = encoded.substring(i, end).getBytes(StandardCharsets.UTF_8);
                bytes.write(literal, 0, literal.length);
                i = end - 1;
                continue;
            }
            if (i + 2 >= encoded.length()) {
                throw new IllegalArgumentException("truncated escape");
            }
            int hi = Character.digit(encoded.charAt(i + 1), 16);
            int lo = Character.digit(encoded.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("bad escape");
            }
            bytes.write(hi << 4 | lo);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not UTF-8", e);
        }
    }
}
