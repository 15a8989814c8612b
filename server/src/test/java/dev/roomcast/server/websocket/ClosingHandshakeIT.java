package dev.roomcast.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.RawHttp;
import dev.roomcast.testing.RawWebSocket;
import dev.roomcast.testing.ServedBystander;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How a WebSocket ends, on every endpoint: a client's Close frame is echoed when its code may be
 * sent and answered with 1002 when not (1007 when its reason is not UTF-8); the server's own Close
 * frames carry the documented phrases and reach a client that is still writing, and the TCP
 * connection ends only after them. A bystander is served after every case.
 */
@Timeout(60)
class ClosingHandshakeIT {

    private static final AtomicInteger ROOMS = new AtomicInteger();
    @RegisterExtension
    static final ServedBystander SERVED = new ServedBystander();
    private static final TestServer server = SERVED.server();

    static Stream<String> endpoints() {
        return Stream.of("/echo", "/ws", "/ws/closing-" + ROOMS.incrementAndGet(), "/v1/ws");
    }

    /** Codes a peer may not put in a Close frame (RFC 6455 section 7.4), each sent on every endpoint. */
    static Stream<Arguments> forbiddenCodes() {
        return endpoints().flatMap(path -> Stream.of(0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535)
                .map(code -> Arguments.of(path, code)));
    }

    @ParameterizedTest(name = "{0} close code {1}")
    @MethodSource("forbiddenCodes")
    void aCloseFrameWithACodeThatMayNotBeSentIsAnsweredWith1002(String path, int code) throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), path)) {
            raw.sendFrame(true, RawWebSocket.CLOSE, closeBody(code, "bye"));
            assertThat(raw.awaitClose()).isEqualTo(new WsClient.Closed(1002, "protocol error"));
            assertThat(raw.serverClosed()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("endpoints")
    void aCloseFrameWithAOneByteBodyIsAnsweredWith1002(String path) throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), path)) {
            raw.sendFrame(true, RawWebSocket.CLOSE, new byte[] {3});
            assertThat(raw.awaitClose()).isEqualTo(new WsClient.Closed(1002, "protocol error"));
            assertThat(raw.serverClosed()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("endpoints")
    void aCloseReasonThatIsNotUtf8IsAnsweredWith1007(String path) throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), path)) {
            byte[] body = {0x03, (byte) 0xE8, 'o', 'k', (byte) 0xC3, 0x28};
            raw.sendFrame(true, RawWebSocket.CLOSE, body);
            assertThat(raw.awaitClose()).isEqualTo(new WsClient.Closed(1007, "invalid UTF-8"));
            assertThat(raw.serverClosed()).isTrue();
        }
    }

    static Stream<Arguments> allowedCodes() {
        return endpoints().flatMap(path -> Stream.of(1000, 1001, 1011, 3000, 4999).map(code -> Arguments.of(path, code)));
    }

    @ParameterizedTest(name = "{0} close code {1}")
    @MethodSource("allowedCodes")
    void aCloseFrameWithAnAllowedCodeIsEchoed(String path, int code) throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), path)) {
            raw.sendFrame(true, RawWebSocket.CLOSE, closeBody(code, "done"));
            assertThat(raw.awaitClose()).isEqualTo(new WsClient.Closed(code, "done"));
            assertThat(raw.serverClosed()).isTrue();
        }
    }

    @Test
    void anEmptyCloseFrameIsEchoedEmpty() throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/echo")) {
            raw.sendFrame(true, RawWebSocket.CLOSE, new byte[0]);
            assertThat(raw.awaitClose()).isEqualTo(new WsClient.Closed(1005, ""));
            assertThat(raw.serverClosed()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("endpoints")
    void aMessageTooBigReachesAClientThatKeepsWriting(String path) throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), path)) {
            // One frame header announcing 4 MiB, then its payload written as fast as the socket takes
            // it: the server refuses the frame at its header and must still get the 1009 across.
            Thread writer = new Thread(() -> writeOversizedFrame(raw, 4 * 1024 * 1024));
            writer.start();
            assertThat(raw.awaitClose()).isEqualTo(new WsClient.Closed(1009, "message too big"));
            writer.join();
        }
    }

    @Test
    void theServerEndsTheConnectionOnceTheClientAnswersItsClose() throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/echo")) {
            raw.sendFrame(true, RawWebSocket.BINARY, new byte[] {1});
            assertThat(raw.awaitClose()).isEqualTo(new WsClient.Closed(1003, "binary frames are not supported"));
            raw.socket().setSoTimeout((int) WebSocketCloser.DRAIN.toMillis() / 2);
            raw.sendFrame(true, RawWebSocket.CLOSE, closeBody(1003, ""));
            assertThat(raw.serverClosed()).as("closed well within the drain time").isTrue();
        }
    }

    @Test
    void aClientThatNeverAnswersTheCloseIsCutAfterTheDrain() throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/echo")) {
            raw.sendFrame(true, RawWebSocket.BINARY, new byte[] {1});
            assertThat(raw.awaitCloseCode()).isEqualTo(1003);
            // Data after the server's Close is read and dropped, never answered.
            raw.sendText("anyone there?");
            raw.socket().setSoTimeout((int) WebSocketCloser.DRAIN.toMillis() * 3);
            assertThat(raw.serverClosed()).isTrue();
        }
    }

    @Test
    void invalidUtf8IsClosedWithTheDocumentedPhrase() throws IOException {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/v1/ws")) {
            raw.sendFrame(true, RawWebSocket.TEXT, new byte[] {'{', (byte) 0xC3, 0x28});
            assertThat(raw.awaitClose()).isEqualTo(new WsClient.Closed(1007, "invalid UTF-8"));
        }
    }

    @Test
    void everyCloseIsCountedByReason() throws IOException {
        double before = closes("protocol_error");
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/echo")) {
            raw.sendFrame(true, RawWebSocket.CLOSE, closeBody(5000, ""));
            assertThat(raw.awaitCloseCode()).isEqualTo(1002);
        }
        Awaitility.await().atMost(WsClient.WAIT).until(() -> closes("protocol_error") == before + 1);
    }

    private static double closes(String reason) throws IOException {
        String metrics = RawHttp.send(server.port(), "GET", "/metrics", "").body();
        String prefix = "roomcast_websocket_closes_total{reason=\"" + reason + "\"} ";
        return metrics.lines().filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length()))).findFirst().orElseThrow();
    }

    private static byte[] closeBody(int code, String reason) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(code >>> 8);
        body.write(code & 0xFF);
        body.writeBytes(reason.getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    /** Writes a masked text frame header for {@code length} bytes and then the bytes, until done or cut off. */
    private static void writeOversizedFrame(RawWebSocket raw, long length) {
        try {
            OutputStream out = raw.socket().getOutputStream();
            byte[] header = new byte[14];
            header[0] = (byte) 0x81;
            header[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                header[2 + i] = (byte) (length >>> (56 - 8 * i));
            }
            out.write(header);
            byte[] chunk = new byte[16 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            for (long sent = 0; sent < length; sent += chunk.length) {
                out.write(chunk);
            }
        } catch (IOException cutOff) {
            // The server may end the connection before the client has written everything.
        }
    }
}
