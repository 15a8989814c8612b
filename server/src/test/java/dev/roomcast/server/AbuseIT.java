package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.testing.Bystander;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RawWebSocket;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Abusive clients over raw sockets: each case runs against a node that already serves a
 * well-behaved {@link Bystander}, and ends by checking that it still does. The bad-input cases
 * (protocol violations, invalid UTF-8, size limits, bad handshakes) are in {@link BadInputIT}.
 */
@Timeout(120)
class AbuseIT {

    private static final AtomicInteger ROOMS = new AtomicInteger();

    /** What an abuse case does to the node. */
    private interface Abuse {
        void run(TestServer server) throws Exception;
    }

    /** Starts a node with {@code settings}, joins a bystander, runs the abuse and checks the bystander is still served. */
    private static void against(UnaryOperator<RoomcastConfig.Builder> settings, Abuse abuse) throws Exception {
        try (TestServer server = TestServer.start(settings);
             Bystander bystander = Bystander.join(server)) {
            abuse.run(server);
            bystander.assertStillServed();
        }
    }

    private static String uniqueRoom() {
        return "abuse-" + ROOMS.incrementAndGet();
    }

    private static Socket rawSocket(TestServer server) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Reads until the server closes the connection; returns false if it is still open after the socket timeout. */
    private static boolean closedByServer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // skip whatever the server sent before closing
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    @Test
    void aSixteenMebibyteMessageIsRefusedWith1009FromItsHeaderAlone() throws Exception {
        against(b -> b, server -> {
            try (RawWebSocket raw = RawWebSocket.connect(server.port(), "/ws/" + uniqueRoom())) {
                int length = 16 * 1024 * 1024;
                OutputStream out = raw.socket().getOutputStream();
                // FIN + text, masked, 64-bit length, then a mask key: the header of a 16 MiB frame.
                out.write(new byte[] {(byte) 0x81, (byte) (0x80 | 127), 0, 0, 0, 0,
                        (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length, 1, 2, 3, 4});
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (int sent = 0; sent < 1024 * 1024; sent += chunk.length) {
                        out.write(chunk);
                    }
                } catch (SocketException closedMidWay) {
                    // the server may close before we are done writing: that is the point
                }
                assertThat(raw.awaitCloseCode()).isIn(1009, 1006);
            }
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.node().hub().rooms().keySet().stream().noneMatch(room -> room.startsWith("abuse-")));
        });
    }

    @Test
    void aHalfSentHandshakeIsClosedAfterTheHandshakeTimeout() throws Exception {
        against(b -> b.handshakeTimeout(Duration.ofSeconds(1)), server -> {
            try (Socket socket = rawSocket(server)) {
                socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                long start = System.nanoTime();
                assertThat(closedByServer(socket)).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(700), Duration.ofSeconds(5));
            }
        });
    }

    @Test
    void aSlowlorisDribblingHeaderBytesIsClosedAtTheDeadlineDespiteItsActivity() throws Exception {
        against(b -> b.handshakeTimeout(Duration.ofSeconds(1)), server -> {
            try (Socket socket = rawSocket(server)) {
                OutputStream out = socket.getOutputStream();
                long start = System.nanoTime();
                boolean closed = false;
                for (int i = 0; i < 40 && !closed; i++) {
                    try {
                        out.write(("X-Slow-" + i + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        Thread.sleep(100);
                    } catch (SocketException e) {
                        closed = true;
                    }
                }
                assertThat(closed || closedByServer(socket)).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
            }
        });
    }

    @Test
    void anIdleKeepAliveHttpConnectionIsClosedAfterTheHandshakeTimeoutButAWebSocketIsNot() throws Exception {
        against(b -> b.handshakeTimeout(Duration.ofSeconds(1)), server -> {
            try (Socket socket = rawSocket(server);
                 WsClient webSocket = WsClient.connect(server.ws("/echo"))) {
                socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(closedByServer(socket)).isTrue();
                webSocket.send("later");
                assertThat(webSocket.next()).isEqualTo("Message text was: later");
            }
        });
    }

    @Test
    void twoHundredConnectionsResetMidFrameLeaveNothingBehind() throws Exception {
        against(b -> b, server -> {
            String room = uniqueRoom();
            List<RawWebSocket> sockets = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sockets.add(RawWebSocket.connect(server.port(), "/ws/" + room));
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.node().hub().memberCount(room) == 200);
            for (RawWebSocket raw : sockets) {
                OutputStream out = raw.socket().getOutputStream();
                // A masked text frame announcing 100 bytes, of which only 10 arrive.
                out.write(new byte[] {(byte) 0x81, (byte) (0x80 | 100), 9, 9, 9, 9});
                out.write(new byte[10]);
                out.flush();
                raw.socket().setSoLinger(true, 0);
                raw.close();
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.node().hub().memberCount(room) == 0);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.node().metrics().scrape().contains("roomcast_connections 1.0"));
        });
    }

    @Test
    void aTextClientFloodingPastItsRateLimitIsClosedWith1008() throws Exception {
        against(b -> b, server -> {
            String room = uniqueRoom();
            try (WsClient listener = WsClient.connect(server.ws("/ws/" + room));
                 RawWebSocket flooder = RawWebSocket.connect(server.port(), "/ws/" + room)) {
                try {
                    for (int i = 0; i < 500; i++) {
                        flooder.sendText("flood " + i);
                    }
                } catch (SocketException closedWhileFlooding) {
                    // the server may have closed already
                }
                RawWebSocket.Frame frame;
                do {
                    frame = flooder.readFrame();
                } while (frame.opcode() != RawWebSocket.CLOSE);
                assertThat(frame.closeCode()).isEqualTo(1008);
                assertThat(frame.text().substring(2)).isEqualTo("rate limit exceeded");
                int delivered = 0;
                String line;
                while ((line = listener.poll(Duration.ofMillis(500))) != null) {
                    delivered += line.startsWith("Message from " + room + ": flood ") ? 1 : 0;
                }
                assertThat(delivered).as("messages let through to the room: the burst plus what refilled").isBetween(40, 100);
            }
            assertThat(server.node().metrics().scrape()).containsPattern("roomcast_rate_limited_messages_total [1-9]");
        });
    }

    @Test
    void aJsonClientOverItsRateLimitIsToldRateLimitedPerRequestAndStaysConnected() throws Exception {
        against(b -> b, server -> {
            try (JsonWs client = JsonWs.connect(server)) {
                int requests = 100;
                for (int i = 0; i < requests; i++) {
                    client.send("type", "ping", "ref", "p" + i);
                }
                Map<String, String> answerByRef = new HashMap<>();
                for (JsonNode answer : client.next(requests)) {
                    String previous = answerByRef.put(answer.path("ref").asText(),
                            answer.path("type").asText() + ":" + answer.path("code").asText(""));
                    assertThat(previous).as("one answer per ref").isNull();
                }
                assertThat(answerByRef).hasSize(requests);
                long ok = answerByRef.values().stream().filter("ok:"::equals).count();
                long limited = answerByRef.values().stream().filter("error:rate_limited"::equals).count();
                assertThat(ok + limited).isEqualTo(requests);
                assertThat(ok).as("the burst").isGreaterThanOrEqualTo(40);
                assertThat(limited).isPositive();
                assertThat(client.raw().isClosed()).isFalse();
                Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    String ref = "later-" + ThreadLocalRandom.current().nextInt();
                    client.send("type", "ping", "ref", ref);
                    assertThat(client.next().path("type").asText()).isEqualTo("ok");
                });
            }
        });
    }

    @Test
    void aClientThatNeverAnswersPingsIsClosedAndOneThatDoesIsNot() throws Exception {
        against(b -> b.pingInterval(Duration.ofMillis(200)).maxMissedPongs(2), server -> {
            try (RawWebSocket silent = RawWebSocket.connect(server.port(), "/ws/" + uniqueRoom());
                 WsClient answering = WsClient.connect(server.ws("/echo"))) {
                long start = System.nanoTime();
                int pings = 0;
                RawWebSocket.Frame frame;
                do {
                    frame = silent.readFrame();
                    pings += frame.opcode() == RawWebSocket.PING ? 1 : 0;
                } while (frame.opcode() != RawWebSocket.CLOSE);
                assertThat(pings).isEqualTo(2);
                assertThat(frame.closeCode()).isEqualTo(1001);
                assertThat(frame.text().substring(2)).isEqualTo("ping timeout");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
                // The JDK client answers pings by itself: after many intervals it is still served.
                assertThat(answering.poll(Duration.ofSeconds(1))).isNull();
                answering.send("alive");
                assertThat(answering.next()).isEqualTo("Message text was: alive");
            }
        });
    }

    @Test
    void theHeartbeatClosesEachOfManySilentSocketsAfterTwoPingsAndKeepsServingTheOnesThatAnswer() throws Exception {
        against(b -> b.pingInterval(Duration.ofMillis(200)).maxMissedPongs(2), server -> {
            int each = 30;
            List<RawWebSocket> silent = new ArrayList<>();
            List<WsClient> answering = new ArrayList<>();
            try {
                // Interleaved, so that the loops' wheels hold both kinds side by side and closing a
                // silent one moves an answering one within its slot.
                for (int i = 0; i < each; i++) {
                    silent.add(RawWebSocket.connect(server.port(), "/ws/" + uniqueRoom()));
                    answering.add(WsClient.connect(server.ws("/echo")));
                }
                for (RawWebSocket socket : silent) {
                    int pings = 0;
                    RawWebSocket.Frame frame;
                    do {
                        frame = socket.readFrame();
                        pings += frame.opcode() == RawWebSocket.PING ? 1 : 0;
                    } while (frame.opcode() != RawWebSocket.CLOSE);
                    assertThat(pings).isEqualTo(2);
                    assertThat(frame.closeCode()).isEqualTo(1001);
                }
                for (WsClient client : answering) {
                    client.send("alive");
                    assertThat(client.next()).isEqualTo("Message text was: alive");
                }
            } finally {
                for (RawWebSocket socket : silent) {
                    socket.close();
                }
                answering.forEach(WsClient::close);
            }
        });
    }
}
