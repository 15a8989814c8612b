package dev.roomcast.server;

import static org.awaitility.Awaitility.await;

import dev.roomcast.config.Network;
import dev.roomcast.testing.RawWebSocket;
import dev.roomcast.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A node stopped (not drained) right after its echo clients sent as fast as they could, so that every connection has
 * a read pending with data behind it and echoes queued, closes every socket on every transport and leaks no buffer
 * (the leak check runs after the class, at paranoid). With io_uring, when the loops were stopped with the sockets
 * still open, Netty's shutdown closed them itself but stopped the loop before every close had its pending read back
 * from the kernel: sockets stayed open (this test timed out in its first rounds) and their read buffers leaked.
 */
@Timeout(180)
class StopWithTrafficIT {

    private static final int CLIENTS = 30;
    private static final int ROUNDS = 3;

    @ParameterizedTest
    @EnumSource(value = Network.Transport.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aNodeStoppedWhileClientsSendClosesEverySocket(Network.Transport transport) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            TestServer server = TestServer.start(b -> TestServer.withoutRateLimit(b.transport(transport)));
            List<RawWebSocket> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(RawWebSocket.connect(server.port(), "/echo"));
            }
            AtomicBoolean stopped = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            List<Thread> senders = new ArrayList<>();
            for (RawWebSocket client : clients) {
                Thread sender = new Thread(() -> sendUntilClosed(client, stopped, sent));
                sender.setDaemon(true);
                sender.start();
                senders.add(sender);
            }
            await().until(() -> sent.get() > CLIENTS * 50L);
            stopped.set(true);
            server.close();
            for (RawWebSocket client : clients) {
                client.socket().setSoTimeout(100);
                await("round " + round + ": the server closed its side").atMost(Duration.ofSeconds(20))
                        .until(() -> endOfStream(client.socket().getInputStream()));
                client.close();
            }
            for (Thread sender : senders) {
                sender.join();
            }
        }
    }

    private static void sendUntilClosed(RawWebSocket client, AtomicBoolean stopped, AtomicLong sent) {
        String text = "x".repeat(1000);
        try {
            while (!stopped.get()) {
                client.sendText(text);
                sent.incrementAndGet();
            }
        } catch (IOException closed) {
            // the server stopped
        }
    }

    /** Reads and drops what the server sent; true once the server closed its side. */
    private static boolean endOfStream(InputStream in) throws IOException {
        byte[] sink = new byte[64 * 1024];
        try {
            while (true) {
                if (in.read(sink) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
