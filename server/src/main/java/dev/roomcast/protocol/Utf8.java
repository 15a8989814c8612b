package dev.roomcast.protocol;

/**
 * UTF-8 arithmetic on Java strings without encoding them. Netty's {@code ByteBufUtil.utf8Bytes}
 * counts valid text the same way, but protocol/ is the wire format without the transport and
 * imports no Netty (ArchitectureTest), so the JSON and HTTP text limits share this one count.
 *
 * <p>Threading: stateless.
 */
public final class Utf8 {

    private Utf8() {
    }

    /** How many bytes {@code text} takes in UTF-8 (a lone surrogate counts as the 3-byte replacement). */
    public static long length(CharSequence text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
