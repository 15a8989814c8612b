package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.ClientSwarm;
import dev.roomcast.testing.RawWebSocket;
import dev.roomcast.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The soak: 500 clients in 10 rooms, each sending 5 messages a second for 60 seconds, under the
 * default limits. Every client must receive every message of its room exactly once, in each
 * sender's order, and nothing else. Not part of {@code mvn verify}; run it with
 * {@code mvn -B -Psoak verify} (docs/operations.md).
 */
@Tag("soak")
@Timeout(300)
class SoakIT {

    private static final int CLIENTS = 500;
    private static final int ROOMS = 10;
    private static final int PER_SECOND = 5;
    private static final Duration LENGTH = Duration.ofSeconds(60);
    private static final int MESSAGES_PER_CLIENT = (int) (PER_SECOND * LENGTH.toSeconds());

    /** What one client has seen, per sender: the last sequence number. Reader thread only. */
    private static final class Seen {
        final int[] lastBySender = new int[CLIENTS];
        long messages;

        Seen() {
            Arrays.fill(lastBySender, -1);
        }
    }

    @Test
    void fiveHundredClientsInTenRoomsGetEveryMessageOfTheirRoomOnceAndInOrder() throws Exception {
        try (TestServer server = TestServer.start(b -> b.maxConnectionsPerIp(CLIENTS + 10))) {
            Seen[] seen = new Seen[CLIENTS];
            for (int i = 0; i < CLIENTS; i++) {
                seen[i] = new Seen();
            }
            ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
            AtomicLong received = new AtomicLong();
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                paths.add("/ws/" + room(i));
            }
            byte[][] expectedStart = new byte[ROOMS][];
            for (int r = 0; r < ROOMS; r++) {
                expectedStart[r] = ("Message from " + room(r) + ": c").getBytes(StandardCharsets.UTF_8);
            }
            try (ClientSwarm swarm = ClientSwarm.connect(server.port(), paths, (client, opcode, length, prefix, n) -> {
                byte[] start = expectedStart[client % ROOMS];
                if (opcode != RawWebSocket.TEXT || n < start.length
                        || !Arrays.equals(prefix, 0, start.length, start, 0, start.length)) {
                    violations.add("client " + client + " got opcode " + opcode + ": "
                            + new String(prefix, 0, n, StandardCharsets.UTF_8));
                    return;
                }
                // Parsed from the bytes, "c{sender} m{sequence}": 7.5 million of these, so no strings.
                int i = start.length;
                int sender = 0;
                while (prefix[i] != ' ') {
                    sender = sender * 10 + prefix[i++] - '0';
                }
                i += 2;
                int sequence = 0;
                while (i < n) {
                    sequence = sequence * 10 + prefix[i++] - '0';
                }
                Seen s = seen[client];
                if (sender % ROOMS == client % ROOMS && sequence == s.lastBySender[sender] + 1) {
                    s.lastBySender[sender] = sequence;
                    s.messages++;
                    received.incrementAndGet();
                } else {
                    violations.add("client " + client + " got c" + sender + " m" + sequence + " after m"
                            + s.lastBySender[sender]);
                }
            })) {
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> server.node().hub().rooms().values().stream().mapToInt(Integer::intValue).sum() == CLIENTS);
                long tickNanos = 1_000_000_000L / PER_SECOND;
                long start = System.nanoTime();
                for (int sequence = 0; sequence < MESSAGES_PER_CLIENT; sequence++) {
                    long due = start + sequence * tickNanos;
                    while (System.nanoTime() < due) {
                        Thread.sleep(1);
                    }
                    for (int client = 0; client < CLIENTS; client++) {
                        swarm.sendText(client, "c" + client + " m" + sequence);
                    }
                }
                double sendSeconds = (System.nanoTime() - start) / 1e9;
                long expected = (long) CLIENTS * (CLIENTS / ROOMS) * MESSAGES_PER_CLIENT;
                Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                        .until(() -> received.get() == expected || !violations.isEmpty());
                double allSeconds = (System.nanoTime() - start) / 1e9;
                System.err.printf("SOAK: %d clients, %d rooms, %d msg/s each for %.1f s: %d messages sent, %d"
                                + " deliveries expected, %d received in order in %.1f s, %d violations%n",
                        CLIENTS, ROOMS, PER_SECOND, sendSeconds, (long) CLIENTS * MESSAGES_PER_CLIENT, expected,
                        received.get(), allSeconds, violations.size());
                assertThat(violations).as("duplicates, gaps, reordering or foreign messages").isEmpty();
                for (int client = 0; client < CLIENTS; client++) {
                    assertThat(seen[client].messages).as("messages received by client %d", client)
                            .isEqualTo((long) (CLIENTS / ROOMS) * MESSAGES_PER_CLIENT);
                }
                assertThat(server.node().metrics().scrape())
                        .contains("roomcast_rate_limited_messages_total 0.0")
                        .contains("roomcast_slow_consumer_closes_total 0.0");
            }
        }
    }

    private static String room(int client) {
        return "soak-" + client % ROOMS;
    }
}
