package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.Bystander;
import dev.roomcast.testing.ClientSwarm;
import dev.roomcast.testing.RawWebSocket;
import dev.roomcast.testing.SampledLeakTracking;
import dev.roomcast.testing.TestServer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that stops reading in a 1,000-member room while 50 MB are broadcast to it: it is
 * closed with 1013 slow consumer, every other member receives every message, and the server's
 * memory stays flat. Heap and Netty's direct memory are measured in this JVM (server and clients
 * share it) and printed, so the figures can be quoted.
 */
@ExtendWith(SampledLeakTracking.class)
@Timeout(600)
class SlowConsumerIT {

    private static final int MEMBERS = 1000;
    private static final int MESSAGE_BYTES = 64 * 1024;
    private static final int MESSAGES = 50 * 1024 * 1024 / MESSAGE_BYTES;
    /** Messages the publisher may be ahead of the slowest reading member: well under the 1 MiB bound. */
    private static final int WINDOW = 6;

    private static long heapUsedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Direct memory Netty's default allocator (the server's) holds, in use or pooled. */
    private static long directUsed() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    @Test
    void aNonReadingMemberIsClosedWith1013WhileTheOthersReceiveAll50Megabytes() throws Exception {
        // Every member connects from 127.0.0.1, so the per-address cap must leave room for all of them.
        try (TestServer server = TestServer.start(b -> b.maxConnectionsPerIp(MEMBERS + 10));
             Bystander bystander = Bystander.join(server)) {
            String room = "slow-consumer-room";
            RawWebSocket stalled = RawWebSocket.connect(server.port(), "/ws/" + room);
            int readers = MEMBERS - 1;
            AtomicIntegerArray received = new AtomicIntegerArray(readers);
            AtomicIntegerArray closes = new AtomicIntegerArray(readers);
            String text = "x".repeat(MESSAGE_BYTES);
            long payloadLength = ("Message from " + room + ": " + text).length();
            try (ClientSwarm swarm = ClientSwarm.connect(server.port(),
                    Collections.nCopies(readers, "/ws/" + room),
                    (client, opcode, length, prefix, prefixLength) -> {
                        if (opcode == RawWebSocket.TEXT && length == payloadLength) {
                            received.incrementAndGet(client);
                        } else if (opcode == RawWebSocket.CLOSE) {
                            closes.incrementAndGet(client);
                        }
                    })) {
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> server.node().hub().memberCount(room) == MEMBERS);
                long heapBefore = heapUsedAfterGc();
                long directBefore = directUsed();

                // The stalled member's socket is read only once the server has given up on it, to see its close frame.
                CompletableFuture<Integer> stalledClose = CompletableFuture.supplyAsync(() -> {
                    Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
                            .until(() -> server.node().metrics().scrape().contains("roomcast_slow_consumer_closes_total 1.0"));
                    try {
                        return stalled.awaitCloseCode();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });

                long started = System.nanoTime();
                long directPeak = directBefore;
                for (int i = 0; i < MESSAGES; i++) {
                    int sequence = i;
                    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                            .until(() -> minimum(received) >= sequence - WINDOW);
                    server.node().hub().broadcast(room, "publisher", text);
                    directPeak = Math.max(directPeak, directUsed());
                }
                Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> minimum(received) == MESSAGES);
                double seconds = (System.nanoTime() - started) / 1e9;

                assertThat(stalledClose.get()).as("close code seen by the stalled member").isEqualTo(1013);
                for (int i = 0; i < readers; i++) {
                    assertThat(received.get(i)).as("messages received by member %d", i).isEqualTo(MESSAGES);
                    assertThat(closes.get(i)).as("member %d closed", i).isZero();
                }
                assertThat(server.node().metrics().scrape()).contains("roomcast_slow_consumer_closes_total 1.0");

                long heapAfter = heapUsedAfterGc();
                long directAfter = directUsed();
                System.err.printf("SLOW CONSUMER: %d members, %d x %d B = %s broadcast in %.1f s (%s delivered);"
                                + " heap after GC before %s, after %s (delta %s); Netty direct memory before %s,"
                                + " peak %s, after %s%n",
                        MEMBERS, MESSAGES, MESSAGE_BYTES, mib((long) MESSAGES * MESSAGE_BYTES), seconds,
                        mib((long) MESSAGES * MESSAGE_BYTES * readers), mib(heapBefore), mib(heapAfter),
                        mib(heapAfter - heapBefore), mib(directBefore), mib(directPeak), mib(directAfter));
                // The stalled member may pin at most its outbound bound (1 MiB) plus the window of shared frames.
                assertThat(heapAfter - heapBefore).as("heap growth").isLessThan(32L * 1024 * 1024);
                assertThat(directPeak - directBefore).as("direct memory growth at the peak").isLessThan(48L * 1024 * 1024);
            } finally {
                stalled.close();
            }
            bystander.assertStillServed();
        }
    }

    private static int minimum(AtomicIntegerArray counts) {
        int min = Integer.MAX_VALUE;
        for (int i = 0; i < counts.length(); i++) {
            min = Math.min(min, counts.get(i));
        }
        return min;
    }
}
