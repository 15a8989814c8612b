package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.Bystander;
import dev.roomcast.testing.RawHttp;
import dev.roomcast.testing.RawWebSocket;
import dev.roomcast.testing.ServedBystander;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kind of bad input the contract names gets its clear answer (a close code or a one-line
 * HTTP status) and hurts nobody else: after each case, a client that was connected all along and
 * a freshly connected one still chat with each other on the same server.
 */
@Timeout(60)
class BadInputIT {

    private static final int LIMIT = 64 * 1024;
    private static final AtomicInteger ROOMS = new AtomicInteger();
    @RegisterExtension
    static final ServedBystander SERVED = new ServedBystander();
    private static final TestServer server = SERVED.server();

    // --- WebSocket frames -------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/echo", "/ws", "/ws/binary-room"})
    void aBinaryFrameClosesWith1003(String path) {
        try (WsClient client = WsClient.connect(server.ws(path))) {
            client.sendBinary(new byte[] {1, 2, 3});
            assertThat(client.awaitClose()).isEqualTo(new WsClient.Closed(1003, "binary frames are not supported"));
        }
    }

    @Test
    void invalidUtf8InOneFrameClosesWith1007() throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/echo")) {
            raw.sendFrame(true, RawWebSocket.TEXT, new byte[] {'o', 'k', (byte) 0xC3, 0x28});
            assertThat(raw.awaitCloseCode()).isEqualTo(1007);
        }
    }

    @Test
    void invalidUtf8AcrossFragmentsClosesWith1007() throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/ws/" + uniqueRoom())) {
            // The first fragment ends in the first two bytes of a three-byte sequence; the next
            // fragment does not continue it.
            raw.sendFrame(false, RawWebSocket.TEXT, new byte[] {'a', (byte) 0xE2, (byte) 0x82});
            raw.sendFrame(true, RawWebSocket.CONTINUATION, new byte[] {'(', 'b'});
            assertThat(raw.awaitCloseCode()).isEqualTo(1007);
        }
    }

    @Test
    void aMessageEndingInATruncatedSequenceClosesWith1007() throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/echo")) {
            raw.sendFrame(false, RawWebSocket.TEXT, "valid ".getBytes(StandardCharsets.UTF_8));
            raw.sendFrame(true, RawWebSocket.CONTINUATION, new byte[] {'x', (byte) 0xE2, (byte) 0x82});
            assertThat(raw.awaitCloseCode()).isEqualTo(1007);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/echo", "/ws/fail-fast", "/v1/ws"})
    void invalidUtf8IsFailedAtTheChopThatBreaksItNotWhenTheFrameCompletes(String path) throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), path)) {
            // 1000 bytes announced, 4 sent, the rest never: only a check of the bytes as they arrive can answer.
            raw.sendFrameStart(true, RawWebSocket.TEXT, 1000, new byte[] {'o', 'k', (byte) 0xC3, 0x28});
            assertThat(raw.awaitClose()).isEqualTo(new WsClient.Closed(1007, "invalid UTF-8"));
        }
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), path)) {
            // The same in a continuation frame: the message's first fragment was valid.
            raw.sendFrame(false, RawWebSocket.TEXT, "fine ".getBytes(StandardCharsets.UTF_8));
            raw.sendFrameStart(true, RawWebSocket.CONTINUATION, 500, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
            assertThat(raw.awaitClose()).isEqualTo(new WsClient.Closed(1007, "invalid UTF-8"));
        }
    }

    @Test
    void aCharacterSplitAcrossFragmentsIsValid() throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/echo")) {
            raw.sendFrame(false, RawWebSocket.TEXT, new byte[] {'1', (byte) 0xE2, (byte) 0x82});
            raw.sendFrame(true, RawWebSocket.CONTINUATION, new byte[] {(byte) 0xAC});
            assertThat(raw.readFrame().text()).isEqualTo("Message text was: 1€");
        }
    }

    @Test
    void aMessageOfExactlyTheLimitIsAccepted() throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/echo")) {
            raw.sendFrame(true, RawWebSocket.TEXT, letters(LIMIT));
            assertThat(raw.readFrame().text()).isEqualTo("Message text was: " + "a".repeat(LIMIT));
            raw.sendFrame(false, RawWebSocket.TEXT, letters(LIMIT - 1000));
            raw.sendFrame(true, RawWebSocket.CONTINUATION, letters(1000));
            assertThat(raw.readFrame().payload()).hasSize("Message text was: ".length() + LIMIT);
        }
    }

    @Test
    void aSingleFrameOverTheLimitClosesWith1009() throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/echo")) {
            raw.sendFrame(true, RawWebSocket.TEXT, letters(LIMIT + 1));
            assertThat(raw.awaitCloseCode()).isEqualTo(1009);
        }
    }

    @Test
    void fragmentsThatTogetherExceedTheLimitCloseWith1009() throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/ws/" + uniqueRoom())) {
            // Each fragment is well under the limit; only their sum is too big.
            raw.sendFrame(false, RawWebSocket.TEXT, letters(LIMIT / 2));
            raw.sendFrame(false, RawWebSocket.CONTINUATION, letters(LIMIT / 2));
            raw.sendFrame(true, RawWebSocket.CONTINUATION, letters(1));
            assertThat(raw.awaitCloseCode()).isEqualTo(1009);
        }
    }

    @Test
    void aSmallerMaxMessageBytesIsHonoured() throws IOException {
        try (TestServer small = TestServer.start(b -> b.maxMessageBytes(1024));
             Bystander smallBystander = Bystander.join(small)) {
            try (RawWebSocket raw = RawWebSocket.connect(small.port(), "/echo")) {
                raw.sendFrame(true, RawWebSocket.TEXT, letters(1024));
                assertThat(raw.readFrame().payload()).hasSize("Message text was: ".length() + 1024);
                raw.sendFrame(true, RawWebSocket.TEXT, letters(1025));
                assertThat(raw.awaitCloseCode()).isEqualTo(1009);
            }
            try (RawWebSocket raw = RawWebSocket.connect(small.port(), "/echo")) {
                raw.sendFrame(false, RawWebSocket.TEXT, letters(600));
                raw.sendFrame(true, RawWebSocket.CONTINUATION, letters(600));
                assertThat(raw.awaitCloseCode()).isEqualTo(1009);
            }
            smallBystander.assertStillServed();
        }
    }

    /** Violations Netty's frame decoder answers with 1002: each sends one bad frame after a correct upgrade. */
    static Stream<Arguments> protocolViolations() {
        return Stream.of(
                Arguments.of("unmasked client frame", true, 0, RawWebSocket.TEXT, "hi".getBytes(StandardCharsets.UTF_8), false),
                Arguments.of("reserved bits without an extension", true, 4, RawWebSocket.TEXT, new byte[] {'x'}, true),
                Arguments.of("reserved opcode", true, 0, 0x3, new byte[] {'x'}, true),
                Arguments.of("continuation without a start", true, 0, RawWebSocket.CONTINUATION, new byte[] {'x'}, true),
                Arguments.of("fragmented control frame", false, 0, RawWebSocket.PING, new byte[] {'x'}, true),
                Arguments.of("control frame over 125 bytes", true, 0, RawWebSocket.PING, letters(126), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocolViolations")
    void protocolViolationsCloseWith1002(String what, boolean fin, int rsv, int opcode, byte[] payload, boolean masked)
            throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/echo")) {
            raw.sendFrame(fin, rsv, opcode, payload, masked);
            assertThat(raw.awaitCloseCode()).as(what).isEqualTo(1002);
        }
    }

    // --- HTTP before the upgrade ------------------------------------------------------------

    static Stream<String> invalidRoomSegments() {
        return Stream.of(
                "",                  // /ws/ with no name
                "a".repeat(65),      // 65 code points
                "%F0%9F%98%80".repeat(65),
                "bad%01name",        // control character
                "a%2Fb",             // an encoded '/'
                "a%2fb",
                "caf%E9",            // Latin-1, not UTF-8
                "%zz",               // not hex
                "room%",             // truncated escape
                "room%4",
                "%24reserved");      // '$' names are the server's own
    }

    @ParameterizedTest
    @MethodSource("invalidRoomSegments")
    void anInvalidRoomNameIsRefusedWith400BeforeTheUpgrade(String segment) throws IOException {
        RawHttp.Response response = RawHttp.send(server.port(), "GET", "/ws/" + segment, RawHttp.upgradeHeaders());
        assertOneLineAnswer(response, 400);
        assertThat(response.body()).startsWith("invalid room name: ");
    }

    @Test
    void aRoomNameOf64CodePointsIsAccepted() {
        String room = "😀".repeat(32) + "r".repeat(31) + ROOMS.incrementAndGet() % 10;
        assertThat(room.codePointCount(0, room.length())).isEqualTo(64);
        try (WsClient client = WsClient.connect(server.ws("/ws/" + URLEncoder.encode(room, StandardCharsets.UTF_8)))) {
            client.send("long name");
            assertThat(client.next()).isEqualTo("Message from " + room + ": long name");
        }
    }

    @Test
    void anUnknownPathIs404() throws IOException {
        assertOneLineAnswer(RawHttp.send(server.port(), "GET", "/no/such/thing", ""), 404);
        assertOneLineAnswer(RawHttp.send(server.port(), "GET", "/wsx", RawHttp.upgradeHeaders()), 404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ws", "/echo", "/ws/x"})
    void aPlainGetOnAWebSocketPathIs400WithOneLine(String path) throws IOException {
        assertOneLineAnswer(RawHttp.send(server.port(), "GET", path, ""), 400);
    }

    @Test
    void aWrongMethodIs405() throws IOException {
        assertOneLineAnswer(RawHttp.send(server.port(), "POST", "/", "Content-Length: 0\r\n"), 405);
        assertOneLineAnswer(RawHttp.send(server.port(), "POST", "/ws", "Content-Length: 0\r\n"), 405);
    }

    @Test
    void aHandshakeWithoutSecWebSocketKeyIs400() throws IOException {
        RawHttp.Response response = RawHttp.send(server.port(), "GET", "/echo",
                "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n");
        assertOneLineAnswer(response, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Sec-WebSocket-Version: 99\r\n", "Sec-WebSocket-Version: 8\r\n", ""})
    void aHandshakeForAnotherVersionIs426AndTheConnectionStaysUsable(String version) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            String upgrade = "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + RawHttp.newKey() + "\r\n" + version + "\r\n";
            socket.getOutputStream().write(upgrade.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            RawHttp.Response refused = RawHttp.read(in);
            assertOneLineAnswer(refused, 426);
            assertThat(refused.headers()).containsEntry("sec-websocket-version", "13");

            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Response health = RawHttp.read(in);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok\n");
        }
    }

    /**
     * A handshake needs no body, but one that carries one (announced by length, or chunked) is still a
     * handshake: it is read whole and answered 101, as before requests without a body skipped aggregation.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Content-Length: 5\r\n|hello", "Transfer-Encoding: chunked\r\n|5\r\nhello\r\n0\r\n\r\n",
            "Content-Length: 0\r\n|"})
    void anUpgradeCarryingABodyIsStillUpgraded(String headersAndBody) throws IOException {
        String[] parts = headersAndBody.split("\\|", -1);
        try (RawWebSocket raw = RawWebSocket.handshake(server.port(), "/echo", parts[0], parts[1])) {
            assertThat(raw.statusLine()).contains(" 101 ");
            raw.sendText("after a body");
            assertThat(raw.readFrame().text()).isEqualTo("Message text was: after a body");
        }
    }

    // --- helpers -----------------------------------------------------------------------------

    /** The status, and a body of exactly one line of reason: no stack trace, no exception name. */
    private static void assertOneLineAnswer(RawHttp.Response response, int status) {
        assertThat(response.status()).as(response.statusLine()).isEqualTo(status);
        assertThat(response.body()).as("one line ending in a newline").endsWith("\n");
        assertThat(response.body().strip()).as("one line").isNotBlank().doesNotContain("\n");
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static byte[] letters(int count) {
        byte[] bytes = new byte[count];
        Arrays.fill(bytes, (byte) 'a');
        return bytes;
    }

    private static String uniqueRoom() {
        return "bad-input-" + ROOMS.incrementAndGet();
    }
}
