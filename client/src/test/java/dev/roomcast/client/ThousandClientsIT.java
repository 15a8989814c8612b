package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.testing.RoomcastProcess;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1,000 RoomcastClients in this JVM against a server in another process (so that only the clients'
 * memory and threads are counted here): all join one room and each receives a broadcast. Prints the
 * heap per client and the threads added; docs/benchmarks.md ("The Java client") quotes the figures.
 */
@Timeout(300)
class ThousandClientsIT {

    private static final int CLIENTS = 1000;

    @Test
    void aThousandClientsShareAFixedHandfulOfThreads() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (RoomcastProcess server = RoomcastProcess.startJar(Map.of(), "serve", "--port", "0",
                "--max-connections-per-ip", "0", "--rate-limit", "1000000", "--rate-limit-burst", "1000000")) {
            int port = server.awaitServing(Duration.ofSeconds(60));
            URI url = URI.create("ws://127.0.0.1:" + port + "/v1/ws");
            // One client first, so the shared threads exist before counting.
            RoomcastClient first = RoomcastClient.builder(url).name("first").connect();
            first.join("thousand", message -> { }).join();
            int threadsBefore = threads.getThreadCount();
            long heapBefore = usedHeapAfterGc(memory);

            AtomicInteger received = new AtomicInteger();
            List<RoomcastClient> clients = new ArrayList<>();
            List<CompletableFuture<Position>> joins = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                RoomcastClient client = RoomcastClient.builder(url).name("c" + i).requestTimeout(Duration.ofSeconds(60)).connect();
                clients.add(client);
                joins.add(client.join("thousand", message -> received.incrementAndGet()));
            }
            CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).join();
            long heapAfter = usedHeapAfterGc(memory);
            int threadsAfter = threads.getThreadCount();

            first.publish("thousand", "to all").join();
            await().atMost(Duration.ofSeconds(60)).until(() -> received.get() == CLIENTS);

            long perClient = (heapAfter - heapBefore) / CLIENTS;
            System.err.printf("ThousandClientsIT: %d clients, heap %d KiB -> %d KiB, %d bytes per client; threads %d -> %d%n",
                    CLIENTS, heapBefore / 1024, heapAfter / 1024, perClient, threadsBefore, threadsAfter);
            assertThat(threadsAfter - threadsBefore).as("threads added by 1,000 clients").isLessThanOrEqualTo(4);
            assertThat(perClient).as("heap per open, joined client").isLessThan(200_000);
            clients.forEach(RoomcastClient::close);
            first.close();
        }
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
