package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.RawWebSocket;
import dev.roomcast.testing.TestServer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * permessage-deflate (RFC 7692) on real sockets, in the manner of the Autobahn suite's cases 12 and 13:
 * the negotiation for each combination of offered parameters, compressed text out (once per broadcast,
 * the same bytes to every member that negotiated it, plain text to the others and below the threshold)
 * and in (whole and fragmented), a compressed frame without negotiation (1002) and a decompression bomb
 * (1009, memory flat).
 */
@Timeout(180)
class CompressionIT {

    private static final int RSV1 = 4;
    private static final String EXTENSIONS = "Sec-WebSocket-Extensions";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(b -> TestServer.withoutRateLimit(b).compression(true).maxConnectionsPerIp(2000));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawWebSocket connect(TestServer on, String path, String offer) throws Exception {
        RawWebSocket ws = RawWebSocket.handshake(on.port(), path, offer == null ? "" : EXTENSIONS + ": " + offer + "\r\n");
        assertThat(ws.statusLine()).contains(" 101 ");
        return ws;
    }

    /** A message compressed as a client would: raw deflate, sync-flushed, without the final empty block. */
    private static byte[] deflate(byte[] message) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(message);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int written;
        do {
            written = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
            out.write(chunk, 0, written);
        } while (written == chunk.length);
        deflater.end();
        byte[] stream = out.toByteArray();
        return Arrays.copyOf(stream, stream.length - 4);
    }

    /** A compressed message's text, inflated as a client would (the empty block put back). */
    private static String inflate(byte[] payload) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        byte[] stream = Arrays.copyOf(payload, payload.length + 4);
        stream[payload.length + 2] = (byte) 0xFF;
        stream[payload.length + 3] = (byte) 0xFF;
        inflater.setInput(stream);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        while (!inflater.needsInput()) {
            out.write(chunk, 0, inflater.inflate(chunk));
        }
        inflater.end();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String chatMessage(int bytes) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < bytes; i++) {
            text.append("{\"user\":\"ann\",\"says\":\"message number ").append(i).append(" in the room\"} ");
        }
        return text.substring(0, bytes);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            "permessage-deflate | permessage-deflate; server_no_context_takeover",
            "permessage-deflate; server_no_context_takeover | permessage-deflate; server_no_context_takeover",
            "permessage-deflate; client_no_context_takeover | permessage-deflate; server_no_context_takeover",
            "permessage-deflate; client_max_window_bits | permessage-deflate; server_no_context_takeover",
            "permessage-deflate; client_max_window_bits=10 | permessage-deflate; client_max_window_bits=10; server_no_context_takeover",
            "permessage-deflate; server_max_window_bits=10 | none",
            "permessage-deflate; server_max_window_bits=10, permessage-deflate | permessage-deflate; server_no_context_takeover",
            "permessage-deflate; no_such_parameter | none",
            "x-webkit-deflate-frame | none",
    })
    void theOfferIsAnsweredWithServerNoContextTakeoverOrDeclined(String offer, String answer) throws Exception {
        try (RawWebSocket ws = connect(server, "/echo", offer)) {
            assertThat(ws.responseHeader(EXTENSIONS)).isEqualTo(answer);
            // Declined or not, the connection works, and the answer to a small message is never compressed.
            ws.sendText("hello");
            RawWebSocket.Frame echo = ws.readFrame();
            assertThat(echo.rsv()).isZero();
            assertThat(echo.text()).isEqualTo("Message text was: hello");
        }
    }

    @Test
    void withCompressionOffAnOfferIsIgnored() throws Exception {
        try (TestServer plain = TestServer.start(b -> b);
             RawWebSocket ws = connect(plain, "/echo", "permessage-deflate")) {
            assertThat(ws.responseHeader(EXTENSIONS)).isNull();
        }
    }

    @Test
    void aBroadcastIsCompressedOnceAndEveryMemberThatNegotiatedItGetsTheSameBytes() throws Exception {
        String room = "compressed-broadcast";
        int members = 1000;
        List<RawWebSocket> deflating = new ArrayList<>();
        List<RawWebSocket> plain = new ArrayList<>();
        try {
            for (int i = 0; i < members / 2; i++) {
                deflating.add(connect(server, "/ws/" + room, "permessage-deflate; client_max_window_bits"));
                plain.add(connect(server, "/ws/" + room, null));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> server.node().hub().memberCount(room) == members);
            double compressedBefore = compressedMessages();
            String text = chatMessage(2048);
            String expected = "Message from " + room + ": " + text;

            server.node().hub().broadcast(room, "publisher", text).toCompletableFuture().join();

            byte[] shared = null;
            for (RawWebSocket member : deflating) {
                RawWebSocket.Frame frame = member.readFrame();
                assertThat(frame.rsv()).as("RSV1: compressed").isEqualTo(RSV1);
                assertThat(inflate(frame.payload())).isEqualTo(expected);
                if (shared == null) {
                    shared = frame.payload();
                }
                assertThat(frame.payload()).as("the same compressed bytes for every member").isEqualTo(shared);
            }
            for (RawWebSocket member : plain) {
                RawWebSocket.Frame frame = member.readFrame();
                assertThat(frame.rsv()).isZero();
                assertThat(frame.text()).isEqualTo(expected);
            }
            assertThat(compressedMessages() - compressedBefore).as("times the message was compressed").isEqualTo(1.0);
            assertThat(shared.length).as("compressed size of a 2 KB chat message").isLessThan(expected.length() / 2);

            server.node().hub().broadcast(room, "publisher", "short").toCompletableFuture().join();
            assertThat(deflating.get(0).readFrame().rsv()).as("below --compression-min-bytes: plain").isZero();
        } finally {
            for (RawWebSocket member : deflating) {
                member.close();
            }
            for (RawWebSocket member : plain) {
                member.close();
            }
        }
    }

    private static double compressedMessages() {
        return server.node().metrics().scrape().lines().filter(line -> line.startsWith("roomcast_compressed_messages_total "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1))).findFirst().orElseThrow();
    }

    @Test
    void compressedTextFromTheClientIsInflatedWholeAndFragmented() throws Exception {
        try (RawWebSocket ws = connect(server, "/echo", "permessage-deflate")) {
            String text = chatMessage(3000) + " é ✓";
            ws.sendFrame(true, RSV1, RawWebSocket.TEXT, deflate(text.getBytes(StandardCharsets.UTF_8)), true);
            assertThat(ws.readFrame().text()).isEqualTo("Message text was: " + text);

            // One compressed message in three frames: RSV1 on the first only (RFC 7692 section 6.1).
            byte[] compressed = deflate(text.getBytes(StandardCharsets.UTF_8));
            int third = compressed.length / 3;
            ws.sendFrame(false, RSV1, RawWebSocket.TEXT, Arrays.copyOfRange(compressed, 0, third), true);
            ws.sendFrame(false, 0, RawWebSocket.CONTINUATION, Arrays.copyOfRange(compressed, third, 2 * third), true);
            ws.sendFrame(true, 0, RawWebSocket.CONTINUATION, Arrays.copyOfRange(compressed, 2 * third, compressed.length), true);
            assertThat(ws.readFrame().text()).isEqualTo("Message text was: " + text);

            ws.sendText("and plain text still works");
            assertThat(ws.readFrame().text()).isEqualTo("Message text was: and plain text still works");
        }
    }

    @Test
    void aCompressedFrameWithoutNegotiationIsAProtocolError() throws Exception {
        try (RawWebSocket ws = connect(server, "/echo", null)) {
            ws.sendFrame(true, RSV1, RawWebSocket.TEXT, deflate("hello".getBytes(StandardCharsets.UTF_8)), true);
            assertThat(ws.awaitCloseCode()).isEqualTo(1002);
        }
    }

    @Test
    void compressedTextThatIsNotUtf8IsClosedWith1007() throws Exception {
        try (RawWebSocket ws = connect(server, "/echo", "permessage-deflate")) {
            ws.sendFrame(true, RSV1, RawWebSocket.TEXT, deflate(new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28}), true);
            assertThat(ws.awaitCloseCode()).isEqualTo(1007);
        }
    }

    @Test
    void aDecompressionBombIsClosedWith1009AndTheServerNeverHoldsItsMegabyte() throws Exception {
        byte[] bomb = deflate(new byte[1024 * 1024]);
        assertThat(bomb.length).as("1 MB of zeros, compressed").isLessThan(2048);
        ByteBufAllocatorMetric allocator = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        try (TestServer capped = TestServer.start(b -> b.compression(true).maxMessageBytes(64 * 1024))) {
            // A first message near the limit puts the inflater's buffers in place, so what follows measures the bomb.
            try (RawWebSocket warm = connect(capped, "/echo", "permessage-deflate")) {
                String text = chatMessage(60 * 1024);
                warm.sendFrame(true, RSV1, RawWebSocket.TEXT, deflate(text.getBytes(StandardCharsets.UTF_8)), true);
                assertThat(warm.readFrame().text()).hasSize("Message text was: ".length() + text.length());
            }
            long before = allocator.usedHeapMemory() + allocator.usedDirectMemory();
            long peak = before;
            for (int i = 0; i < 10; i++) {
                try (RawWebSocket ws = connect(capped, "/echo", "permessage-deflate")) {
                    ws.sendFrame(true, RSV1, RawWebSocket.TEXT, bomb, true);
                    assertThat(ws.awaitCloseCode()).isEqualTo(1009);
                }
                peak = Math.max(peak, allocator.usedHeapMemory() + allocator.usedDirectMemory());
            }
            System.err.printf("DECOMPRESSION BOMB: 10 x 1 MiB of zeros in %d bytes each, closed with 1009; Netty's"
                    + " allocator held %d KiB before, at most %d KiB after%n", bomb.length, before / 1024, peak / 1024);
            // The allocator grows by whole chunks (measured: 2 MiB, for the ten connections' buffers), not by the bombs.
            assertThat(peak - before).as("allocator growth over ten bombs of 1 MiB each").isLessThan(4L * 1024 * 1024);
        }
    }
}
