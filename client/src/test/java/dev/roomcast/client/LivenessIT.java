package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ping/pong liveness: a peer that completes the upgrade and the welcome, then never answers
 * (a half-open connection, as after a network change), is dropped after one unanswered
 * {@code ping} and the client reconnects.
 */
@Timeout(60)
class LivenessIT {

    private static final Pattern KEY = Pattern.compile("(?i)sec-websocket-key:\\s*(\\S+)");
    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    @Test
    void anUnansweredPingDropsTheConnectionAndTheClientReconnects() throws Exception {
        AtomicInteger upgrades = new AtomicInteger();
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        Socket socket = silent.accept();
                        accepted.add(socket);
                        welcomeThenSayNothing(socket);
                        upgrades.incrementAndGet();
                    } catch (IOException e) {
                        return; // closed at the end of the test
                    }
                }
            }, "silent-peer");
            acceptor.setDaemon(true);
            acceptor.start();

            Recorder recorder = new Recorder();
            URI url = URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/v1/ws");
            try (RoomcastClient client = RoomcastClient.builder(url).listener(recorder)
                    .pingInterval(Duration.ofMillis(300)).requestTimeout(Duration.ofMillis(500))
                    .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).connect()) {
                await().atMost(Duration.ofSeconds(20)).until(() -> upgrades.get() >= 2);
                assertThat(recorder.connections).filteredOn(event -> event.state() == ConnectionState.RECONNECTING)
                        .first().satisfies(event -> assertThat(event.reason()).isEqualTo("no answer to ping"));
            }
        } finally {
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    /** Answers the upgrade and sends a welcome frame; reads nothing afterwards, answers nothing. */
    private static void welcomeThenSayNothing(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        while (!request.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the upgrade");
            }
            request.write(b);
        }
        Matcher key = KEY.matcher(request.toString(StandardCharsets.ISO_8859_1));
        if (!key.find()) {
            throw new IOException("no Sec-WebSocket-Key");
        }
        OutputStream out = socket.getOutputStream();
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key.group(1)) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        byte[] welcome = "{\"type\":\"welcome\",\"session\":\"s1\",\"user\":\"ann\",\"name\":\"ann\",\"node\":\"n1\"}"
                .getBytes(StandardCharsets.UTF_8);
        out.write(0x81); // FIN + text frame, unmasked as a server's are
        out.write(welcome.length);
        out.write(welcome);
        out.flush();
    }

    private static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
