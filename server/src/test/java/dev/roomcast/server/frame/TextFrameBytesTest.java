package dev.roomcast.server.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frame bytes Roomcast builds once per broadcast, read back by Netty's own client-side
 * decoder: every length encoding (7-bit, 16-bit, 64-bit) at its edges, ASCII and multibyte UTF-8.
 */
class TextFrameBytesTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 70000})
    void bytePayloadsOfEveryLengthDecode(int length) {
        String text = "x".repeat(length);
        assertDecodesTo(TextFrameBytes.text(ALLOC, text.getBytes(StandardCharsets.UTF_8)), text);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 70000})
    void textPayloadsOfEveryLengthDecode(int length) {
        String text = "y".repeat(length);
        assertDecodesTo(TextFrameBytes.text(ALLOC, text), text);
    }

    /**
     * Multibyte characters whose encoded length lands on the edges of the length encodings while
     * their char count does not: the header must count bytes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"é", "€", "😀", "Message from café: ünïcödé ✓ 😀"})
    void multibyteUtf8IsMeasuredInBytes(String unit) {
        for (int bytes : new int[] {125, 126, 65535, 65536}) {
            int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
            String text = unit.repeat(bytes / unitBytes) + "z".repeat(bytes % unitBytes);
            assertThat(text.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
            assertDecodesTo(TextFrameBytes.text(ALLOC, text), text);
            assertDecodesTo(TextFrameBytes.text(ALLOC, text.getBytes(StandardCharsets.UTF_8)), text);
        }
    }

    /** Takes ownership of {@code frame}; checks it is exactly one final, unmasked text frame carrying {@code text}. */
    private static void assertDecodesTo(ByteBuf frame, String text) {
        int payloadBytes = text.getBytes(StandardCharsets.UTF_8).length;
        int header = payloadBytes <= 125 ? 2 : payloadBytes <= 0xFFFF ? 4 : 10;
        assertThat(frame.readableBytes()).as("header + payload, nothing more").isEqualTo(header + payloadBytes);

        // Client side: server frames arrive unmasked.
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
        ch.writeInbound(frame);
        TextWebSocketFrame decoded = ch.readInbound();
        try {
            assertThat(decoded).isNotNull();
            assertThat(decoded.isFinalFragment()).isTrue();
            assertThat(decoded.rsv()).isZero();
            assertThat(decoded.text()).isEqualTo(text);
        } finally {
            decoded.release();
        }
        assertThat((Object) ch.readInbound()).as("exactly one frame").isNull();
        assertThat(ch.finish()).isFalse();
    }
}
