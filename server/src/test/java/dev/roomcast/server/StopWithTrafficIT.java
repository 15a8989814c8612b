package dev.roomcast.server;

import static org.awaitility.Awaitility.await;

import dev.roomcast.config.Network;
import dev.roomcast.testing.RawWebSocket;
import dev.roomcast.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A node stopped (not drained) while its echo clients send bursts, so that every connection has a read pending with
 * data behind it and echoes queued, closes every socket on every transport and leaks no buffer (the leak check runs
 * after the class, at paranoid). With io_uring, when the loops were stopped with the sockets
 * still open, Netty's shutdown closed them itself but stopped the loop before every close had its pending read back
 * from the kernel: sockets stayed open and their read buffers leaked (docs/benchmarks.md, "io_uring against epoll").
 */
@Timeout(180)
class StopWithTrafficIT {

    private static final int CLIENTS = 30;
    private static final int ROUNDS = 3;
    /**
     * Per client, more than the server has read when it stops, yet little enough that the closes, which with io_uring
     * wait for the reads and writes in flight, finish within the stop's wait on a loaded machine.
     */
    private static final int MESSAGES = 300;

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
            AtomicInteger closedByServer = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (RawWebSocket client : clients) {
                threads.add(daemon(() -> sendBurst(client, stopped, sent)));
                // Reads what comes: an io_uring socket's close waits for its writes, which wait for a reader.
                threads.add(daemon(() -> readToEnd(client, closedByServer)));
            }
            await().until(() -> sent.get() > CLIENTS * 50L);
            stopped.set(true);
            server.close();
            int finished = round;
            await("round " + finished + ": the server closed every socket").atMost(Duration.ofSeconds(30))
                    .until(() -> closedByServer.get() == CLIENTS);
            for (RawWebSocket client : clients) {
                client.close();
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }

    private static Thread daemon(Runnable task) {
        Thread thread = new Thread(task);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void sendBurst(RawWebSocket client, AtomicBoolean stopped, AtomicLong sent) {
        String text = "x".repeat(1000);
        try {
            for (int i = 0; i < MESSAGES && !stopped.get(); i++) {
                client.sendText(text);
                sent.incrementAndGet();
            }
        } catch (IOException closed) {
            // the server stopped
        }
    }

    /** Reads and drops what the server sends until it closes its side (end of stream or reset). */
    private static void readToEnd(RawWebSocket client, AtomicInteger closedByServer) {
        byte[] sink = new byte[64 * 1024];
        try {
            InputStream in = client.socket().getInputStream();
            client.socket().setSoTimeout(0);
            while (in.read(sink) >= 0) {
                // dropped
            }
        } catch (IOException reset) {
            // a reset ends the stream too
        }
        closedByServer.incrementAndGet();
    }
}
