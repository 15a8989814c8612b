package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roomcast.testing.RawHttp;
import dev.roomcast.testing.RoomcastProcess;
import dev.roomcast.testing.WsClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM on a real process: every WebSocket is closed with 1001 going away, the listening
 * socket is closed before that, a connection that was already open cannot upgrade any more,
 * and the process exits 0 within a few seconds.
 */
@Timeout(90)
class DrainIT {

    /** A few seconds, as the contract says; the default drain timeout is 10 s, so this is not it expiring. */
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(5);

    @Test
    void sigtermClosesEverySocketWith1001AndExits0() throws IOException {
        try (RoomcastProcess process = RoomcastProcess.startJar(Map.of(), "--port", "0")) {
            int port = process.awaitServing(Duration.ofSeconds(30));
            List<WsClient> clients = new ArrayList<>();
            try (Socket keptAlive = new Socket("127.0.0.1", port)) {
                for (String path : List.of("/ws", "/ws", "/ws/drain-room", "/ws/drain-room", "/echo", "/echo")) {
                    clients.add(connectAndCheck(port, path));
                }
                keptAlive.setSoTimeout(10_000);
                OutputStream out = keptAlive.getOutputStream();
                InputStream in = keptAlive.getInputStream();
                out.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertThat(RawHttp.read(in).status()).as("an HTTP connection open before the drain").isEqualTo(200);

                long signalled = System.nanoTime();
                process.sigterm();
                for (WsClient client : clients) {
                    assertThat(client.awaitClose()).as(process.output()).isEqualTo(new WsClient.Closed(1001, "going away"));
                }

                // The listener closes before the first close frame goes out.
                assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
                // Whether the process is still draining (503) or already gone (end of stream),
                // a connection accepted before the drain can no longer upgrade.
                assertThat(upgradeAnswer(out, in, port)).isIn("503", "closed");

                assertThat(process.awaitExit(EXIT_WITHIN)).as(process.output()).isZero();
                assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(EXIT_WITHIN);
                assertThat(process.stderr()).contains("SIGTERM: draining").doesNotContain("Exception");
            } finally {
                clients.forEach(WsClient::close);
            }
        }
    }

    /** Connects and waits for a first answer, so the session is joined before the signal. */
    private static WsClient connectAndCheck(int port, String path) {
        WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + path));
        client.send("before the drain");
        assertThat(client.next()).endsWith("before the drain");
        return client;
    }

    /** The status of an upgrade sent on an open connection, or "closed" when the server hung up instead. */
    private static String upgradeAnswer(OutputStream out, InputStream in, int port) {
        try {
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + RawHttp.upgradeHeaders() + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return Integer.toString(RawHttp.read(in).status());
        } catch (IOException e) {
            // End of stream or reset: the process closed the connection.
            return "closed";
        }
    }
}
