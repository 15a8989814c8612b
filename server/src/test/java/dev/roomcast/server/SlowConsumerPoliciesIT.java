package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.hub.Publication;
import dev.roomcast.room.Payload;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.testing.ClientSwarm;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RawWebSocket;
import dev.roomcast.testing.SampledLeakTracking;
import dev.roomcast.testing.TestServer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One member of a {@code drop_oldest} or {@code conflate} room stops reading while 50 MB are
 * broadcast: it stays connected, Netty's direct memory stays bounded, the members that read get every
 * message, and once it reads again it has the latest value of every key ({@code conflate}) or fills
 * its gap with {@code since} ({@code drop_oldest}). The figures are printed so they can be quoted.
 */
@ExtendWith(SampledLeakTracking.class)
@Timeout(600)
class SlowConsumerPoliciesIT {

    private static final int READERS = 3;
    private static final int MESSAGE_BYTES = 2048;
    private static final int MESSAGES = 50 * 1024 * 1024 / MESSAGE_BYTES;
    private static final int KEYS = 16;
    /** Messages the publisher may be ahead of the slowest reader: well under the half of the 1 MiB bound that may wait. */
    private static final int WINDOW = 64;
    /**
     * Direct memory the run may add: the stalled member's 1 MiB bound and the readers' window, but the pooled
     * allocator grows by whole chunks, one arena per thread that allocates, so measured growth is about 17 MiB
     * whatever is published; a member that kept all it was sent would hold 50 MB.
     */
    private static final long DIRECT_GROWTH_LIMIT = 24L * 1024 * 1024;

    private static TestServer serverWith(String namespace, Namespace.SlowConsumer policy) {
        // The drop_oldest room keeps all 50 MB, so that the whole gap can be filled from history; without presence, the
        // stalled member reads nothing but messages and answers.
        Namespace rules = new Namespace(Namespace.Publish.MEMBERS, PresenceMode.OFF, false, MESSAGES, null, policy, null);
        // A replay is itself cut by drop_oldest, so filling the gap takes from 4 to over 100 leave+join pairs, at up
        // to 15 pairs a second: past the default 20 requests a second once the burst of 40 is spent, a request would
        // be refused rate_limited. The burst covers every request the test can make: a rejoin fills at least its
        // first missing offset, written before the socket can fill up.
        return TestServer.start(b -> b.namespaces(new Namespaces(Map.of(namespace, rules)))
                .historyMaxBytes(512L * 1024 * 1024).rateLimitBurst(2 * MESSAGES + 1));
    }

    /** Direct memory Netty's default allocator (the server's) holds, in use or pooled. */
    private static long directUsed() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    /** Text messages the readers received, per reader, counted on the swarm's thread. */
    private record Readers(ClientSwarm swarm, AtomicIntegerArray received) implements AutoCloseable {
        static Readers join(TestServer server, String room) throws IOException {
            AtomicIntegerArray received = new AtomicIntegerArray(READERS);
            ClientSwarm swarm = ClientSwarm.connect(server.port(), Collections.nCopies(READERS, "/ws/" + room),
                    (client, opcode, length, prefix, prefixLength) -> {
                        if (opcode == RawWebSocket.TEXT) {
                            received.incrementAndGet(client);
                        }
                    });
            return new Readers(swarm, received);
        }

        int slowest() {
            int min = Integer.MAX_VALUE;
            for (int i = 0; i < received.length(); i++) {
                min = Math.min(min, received.get(i));
            }
            return min;
        }

        @Override
        public void close() throws IOException {
            swarm.close();
        }
    }

    /** What the publishing of 50 MB cost: the time it took and the peak growth of direct memory. */
    private record Run(double seconds, long directGrowth) {
    }

    /** Publishes {@link #MESSAGES} messages of {@link #MESSAGE_BYTES}, keeping at most {@link #WINDOW} ahead of the readers. */
    private static Run publishAll(TestServer server, String room, Readers readers, boolean keyed) {
        long directBefore = directUsed();
        long directPeak = directBefore;
        long started = System.nanoTime();
        for (int i = 0; i < MESSAGES; i++) {
            if (i % 16 == 0) {
                int sequence = i;
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInSameThread().pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(1)).until(() -> readers.slowest() >= sequence - WINDOW);
                directPeak = Math.max(directPeak, directUsed());
            }
            String key = keyed ? keyOf(i) : null;
            server.node().hub().broadcast(room, new Publication("publisher", new Payload(null, body(i), null, key), true,
                    null, null));
        }
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> readers.slowest() == MESSAGES);
        return new Run((System.nanoTime() - started) / 1e9, directPeak - directBefore);
    }

    private static String keyOf(int sequence) {
        return "k" + (sequence % KEYS);
    }

    /** Message {@code sequence}'s text: its key and number first, then filler up to the message size. */
    private static String body(int sequence) {
        String head = keyOf(sequence) + "=" + sequence + ";";
        return head + "x".repeat(MESSAGE_BYTES - head.length());
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    @Test
    void aConflatingMemberThatStopsReadingStaysConnectedAndThenGetsTheLatestValueOfEveryKey() throws Exception {
        String room = "ticker:prices";
        try (TestServer server = serverWith("ticker", Namespace.SlowConsumer.CONFLATE);
             RawWebSocket stalled = RawWebSocket.connect(server.port(), "/ws/" + room);
             Readers readers = Readers.join(server, room)) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> server.node().hub().memberCount(room) == READERS + 1);

            Run run = publishAll(server, room, readers, true);

            assertThat(server.node().hub().memberCount(room)).as("the stalled member is still in the room").isEqualTo(READERS + 1);
            assertThat(run.directGrowth()).as("direct memory growth at the peak").isLessThan(DIRECT_GROWTH_LIMIT);
            Map<String, Integer> latest = new HashMap<>();
            int frames = 0;
            String last = "Message from " + room + ": " + body(MESSAGES - 1);
            for (String text = ""; !text.equals(last); frames++) {
                RawWebSocket.Frame frame = nextDataFrame(stalled);
                assertThat(frame.opcode()).as("a message, not a close").isEqualTo(RawWebSocket.TEXT);
                text = frame.text();
                String value = text.substring(("Message from " + room + ": ").length(), text.indexOf(';'));
                String[] keyAndSequence = value.split("=");
                int sequence = Integer.parseInt(keyAndSequence[1]);
                assertThat(latest.getOrDefault(keyAndSequence[0], -1)).as("values of a key arrive in order").isLessThan(sequence);
                latest.put(keyAndSequence[0], sequence);
            }
            for (int key = 0; key < KEYS; key++) {
                assertThat(latest.get("k" + key)).as("latest value of key k%d", key).isEqualTo(MESSAGES - KEYS + key);
            }
            String scrape = server.node().metrics().scrape();
            assertThat(scrape).contains("roomcast_slow_consumer_closes_total 0.0")
                    .doesNotContain("roomcast_slow_consumer_actions_total{action=\"replaced\",policy=\"conflate\"} 0.0");
            System.err.printf("CONFLATE: %d x %d B = %s broadcast in %.1f s to %d readers; the stalled member received %d"
                            + " frames after it read again; direct memory grew by at most %s%n",
                    MESSAGES, MESSAGE_BYTES, mib((long) MESSAGES * MESSAGE_BYTES), run.seconds(), READERS, frames,
                    mib(run.directGrowth()));
        }
    }

    @Test
    void aDropOldestMemberThatStopsReadingStaysConnectedAndFillsItsGapWithSince() throws Exception {
        String room = "feed:news";
        try (TestServer server = serverWith("feed", Namespace.SlowConsumer.DROP_OLDEST);
             RawWebSocket stalled = RawWebSocket.connect(server.port(), "/v1/ws?name=stalled");
             Readers readers = Readers.join(server, room)) {
            assertThat(nextJson(stalled).get("type").asText()).isEqualTo("welcome");
            stalled.sendText("{\"type\":\"join\",\"room\":\"" + room + "\",\"ref\":\"join\"}");
            JsonNode joined = nextJson(stalled);
            assertThat(joined.get("type").asText()).isEqualTo("ok");
            String epoch = joined.get("epoch").asText();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> server.node().hub().memberCount(room) == READERS + 1);

            Run run = publishAll(server, room, readers, false);

            assertThat(server.node().hub().memberCount(room)).as("the stalled member is still in the room").isEqualTo(READERS + 1);
            assertThat(run.directGrowth()).as("direct memory growth at the peak").isLessThan(DIRECT_GROWTH_LIMIT);
            TreeSet<Long> offsets = new TreeSet<>();
            readMessagesUntil(stalled, MESSAGES, offsets);
            int live = offsets.size();
            assertThat(live).as("messages dropped while it did not read").isLessThan(MESSAGES);

            // Fill the gap as roomcast.js does: leave, then join again with since = the last offset before the gap.
            int rejoins = 0;
            while (offsets.size() < MESSAGES) {
                long beforeGap = firstMissing(offsets) - 1;
                stalled.sendText("{\"type\":\"leave\",\"room\":\"" + room + "\",\"ref\":\"leave" + rejoins + "\"}");
                awaitOk(stalled, "leave" + rejoins, offsets);
                stalled.sendText("{\"type\":\"join\",\"room\":\"" + room + "\",\"ref\":\"join" + rejoins + "\",\"since\":"
                        + "{\"epoch\":\"" + epoch + "\",\"offset\":" + beforeGap + "}}");
                awaitOk(stalled, "join" + rejoins, offsets);
                JsonNode recovered = nextJson(stalled);
                assertThat(recovered.get("type").asText()).isEqualTo("recovered");
                assertThat(recovered.get("recovered").asBoolean()).as("the gap is still in history").isTrue();
                readMessagesUntil(stalled, MESSAGES, offsets);
                rejoins++;
            }
            assertThat(offsets.first()).isEqualTo(1L);
            assertThat(offsets.last()).isEqualTo((long) MESSAGES);
            assertThat(server.node().metrics().scrape()).contains("roomcast_slow_consumer_closes_total 0.0")
                    .doesNotContain("roomcast_slow_consumer_actions_total{action=\"dropped\",policy=\"drop_oldest\"} 0.0");
            System.err.printf("DROP OLDEST: %d x %d B = %s broadcast in %.1f s to %d readers; the stalled member received"
                            + " %d live, filled the rest of its gaps with %d rejoins with since; direct memory grew by at"
                            + " most %s%n",
                    MESSAGES, MESSAGE_BYTES, mib((long) MESSAGES * MESSAGE_BYTES), run.seconds(), READERS, live, rejoins,
                    mib(run.directGrowth()));
        }
    }

    /**
     * The next frame that is not the server's heartbeat ping, which is answered: on a loaded machine a run can
     * outlast --ping-interval (25 s), and the stalled member reads again only after it.
     */
    private static RawWebSocket.Frame nextDataFrame(RawWebSocket ws) throws IOException {
        RawWebSocket.Frame frame = ws.readFrame();
        while (frame.opcode() == RawWebSocket.PING) {
            ws.sendFrame(true, RawWebSocket.PONG, frame.payload());
            frame = ws.readFrame();
        }
        return frame;
    }

    private static JsonNode nextJson(RawWebSocket ws) throws IOException {
        RawWebSocket.Frame frame = nextDataFrame(ws);
        assertThat(frame.opcode()).as("a text frame, not a close").isEqualTo(RawWebSocket.TEXT);
        return JsonWs.JSON.readTree(new String(frame.payload(), StandardCharsets.UTF_8));
    }

    /** Reads message frames into {@code offsets} until the one at {@code lastOffset}. */
    private static void readMessagesUntil(RawWebSocket ws, long lastOffset, TreeSet<Long> offsets) throws IOException {
        for (long offset = 0; offset != lastOffset; ) {
            JsonNode frame = nextJson(ws);
            assertThat(frame.get("type").asText()).isEqualTo("message");
            offset = frame.get("offset").asLong();
            offsets.add(offset);
        }
    }

    /**
     * Reads until the answer to {@code ref}, keeping the offsets of the messages before it, and checks that it is an
     * {@code ok}: a refused request fails here with its error, not as a read timeout on a frame that never comes.
     */
    private static void awaitOk(RawWebSocket ws, String ref, TreeSet<Long> offsets) throws IOException {
        JsonNode frame = nextJson(ws);
        for (; !ref.equals(frame.path("ref").asText()); frame = nextJson(ws)) {
            assertThat(frame.get("type").asText()).isEqualTo("message");
            offsets.add(frame.get("offset").asLong());
        }
        assertThat(frame.get("type").asText()).as("the answer to %s: %s", ref, frame).isEqualTo("ok");
    }

    private static long firstMissing(TreeSet<Long> offsets) {
        long expected = 1;
        for (long offset : offsets) {
            if (offset != expected) {
                return expected;
            }
            expected++;
        }
        return expected;
    }
}
