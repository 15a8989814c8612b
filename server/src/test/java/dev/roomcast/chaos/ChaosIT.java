package dev.roomcast.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.testing.RedisServer;
import dev.roomcast.testing.RoomcastProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chaos run of #10: three nodes (separate JVMs) on an own redis-server, JSON clients that reconnect
 * to a live node and recover with {@code since}, publishers at a fixed rate, and on a schedule: a node
 * SIGKILLed and started again, Redis stalled (SIGSTOP for 1.5 s), Redis restarted empty. At the end every
 * client must have received, per room, one sequence with no duplicate position and no silent gap: two
 * consecutive messages are contiguous (the next offset, or offset 1 of a new epoch when no acknowledged
 * message of the old one is missing), unless a {@code recovered:false} between them told the client.
 *
 * <p>Every member must also catch up with the newest acknowledged message of each room within 60 s
 * of the end.
 *
 * <p>Bounded: {@code -Dchaos.seconds} (default 30) of traffic, then at most 60 s to settle;
 * {@code -Dchaos.faults} (default {@code kill,stall,kill,restart}, at most four) picks the faults in order.
 * {@code -Dchaos.clients} (default 12), {@code -Dchaos.rooms} (3), {@code -Dchaos.rate} (messages per
 * second over all publishers, default 60). Loopback only. Not part of {@code mvn verify}: run it with
 * {@code mvn -Pchaos verify} (docs/operations.md).
 */
@Tag("chaos")
@Timeout(900)
class ChaosIT {

    private static final int NODES = 3;
    private static final int PUBLISHERS = 3;

    private final int seconds = Integer.getInteger("chaos.seconds", 30);
    private final int clientCount = Integer.getInteger("chaos.clients", 12);
    private final int roomCount = Integer.getInteger("chaos.rooms", 3);
    private final int rate = Integer.getInteger("chaos.rate", 60);
    private final List<Integer> livePorts = new CopyOnWriteArrayList<>();

    @Test
    void nodesKilledAndRedisStalledAndRestartedEmptyCauseNoSilentGapAndNoDuplicate() throws Exception {
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < roomCount; i++) {
            rooms.add("chaos-" + i);
        }
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, task -> {
            Thread thread = new Thread(task, "chaos");
            thread.setDaemon(true);
            return thread;
        });
        HttpClient http = HttpClient.newHttpClient();
        List<ChaosClient> members = new ArrayList<>();
        List<ChaosClient> publishers = new ArrayList<>();
        RoomcastProcess[] nodes = new RoomcastProcess[NODES];
        try (RedisServer redis = RedisServer.start()) {
            for (int i = 0; i < NODES; i++) {
                nodes[i] = startNode(redis);
            }
            for (int i = 0; i < clientCount; i++) {
                members.add(new ChaosClient("member-" + i, rooms, this::liveNode, http, scheduler));
            }
            for (int i = 0; i < PUBLISHERS; i++) {
                publishers.add(new ChaosClient("publisher-" + i, rooms, this::liveNode, http, scheduler));
            }
            members.forEach(ChaosClient::start);
            publishers.forEach(ChaosClient::start);
            await("every member joined: " + members.stream().filter(m -> !m.joined()).toList())
                    .atMost(Duration.ofSeconds(60)).until(() -> members.stream().allMatch(ChaosClient::joined));

            long periodMicros = 1_000_000L * PUBLISHERS / rate;
            List<ScheduledFuture<?>> publishing = new ArrayList<>();
            for (int i = 0; i < PUBLISHERS; i++) {
                ChaosClient publisher = publishers.get(i);
                publishing.add(scheduler.scheduleAtFixedRate(() -> publisher.publish(rooms.get(ThreadLocalRandom.current().nextInt(rooms.size()))),
                        i * periodMicros / PUBLISHERS, periodMicros, TimeUnit.MICROSECONDS));
            }

            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            int step = 0;
            double[] at = {0.2, 0.4, 0.6, 0.75};
            // At 20 %, 40 %, 60 % and 75 % of the run.
            List<String> planned = List.of(System.getProperty("chaos.faults", "kill,stall,kill,restart").split(","));
            List<String> faults = new ArrayList<>();
            // Every fault happens, even when starting a node again took longer than planned.
            while (step < planned.size() || System.nanoTime() < end) {
                double elapsed = (System.nanoTime() - start) / (double) (end - start);
                if (step < planned.size() && elapsed >= at[step]) {
                    switch (planned.get(step)) {
                        case "kill" -> {
                            int victim = ThreadLocalRandom.current().nextInt(NODES);
                            faults.add(String.format("%.1fs SIGKILL node %d", (System.nanoTime() - start) / 1e9, victim));
                            livePorts.remove(Integer.valueOf(portOf(nodes[victim])));
                            kill(nodes[victim]);
                            nodes[victim].close();
                            nodes[victim] = startNode(redis);
                        }
                        case "stall" -> {
                            faults.add(String.format("%.1fs Redis stalled 1.5s", (System.nanoTime() - start) / 1e9));
                            redis.stall();
                            Thread.sleep(1500);
                            redis.resume();
                        }
                        case "restart" -> {
                            faults.add(String.format("%.1fs Redis restarted empty", (System.nanoTime() - start) / 1e9));
                            redis.restartEmpty();
                        }
                        default -> throw new IllegalArgumentException("chaos.faults: kill, stall or restart, got " + planned.get(step));
                    }
                    step++;
                }
                Thread.sleep(100);
            }
            // Publishing stops; clients keep reconnecting until every member has caught up.
            publishing.forEach(task -> task.cancel(false));
            List<String> behind = settle(members, publishers, rooms);
            Report report = check(members, publishers, rooms);
            System.out.printf("chaos: %d s of traffic at %d msg/s, %d nodes, %d members in %d rooms; faults: %s%n"
                            + "chaos: %d acknowledged publishes, %d messages received, %d reconnects, %d recovered:false "
                            + "notices (first joins included), %d silent gaps, %d duplicates %s%n",
                    seconds, rate, NODES, members.size(), rooms.size(), faults, report.acked(), report.received(),
                    report.reconnects(), report.notices(), report.silentGaps(), report.duplicates(), report.examples());
            behind.forEach(line -> System.out.println("chaos: behind: " + line));
            assertThat(report.acked()).as("the run published something").isPositive();
            assertThat(behind).as("members that never caught up").isEmpty();
            assertThat(report.silentGaps()).as("silent gaps: %s", report.examples()).isZero();
            assertThat(report.duplicates()).as("duplicates: %s", report.examples()).isZero();
        } finally {
            members.forEach(ChaosClient::stop);
            publishers.forEach(ChaosClient::stop);
            scheduler.shutdownNow();
            for (RoomcastProcess node : nodes) {
                if (node != null) {
                    node.close();
                }
            }
        }
    }

    /** What the check found. */
    record Report(int acked, int received, int reconnects, int notices, int silentGaps, int duplicates,
                  List<String> examples) {
    }

    private RoomcastProcess startNode(RedisServer redis) {
        RoomcastProcess node = RoomcastProcess.startJar(Map.of(), "--port", "0", "--broker", redis.uri(),
                "--presence-lease", "3s", "--rate-limit", "100000", "--rate-limit-burst", "100000");
        livePorts.add(node.awaitServing(Duration.ofSeconds(60)));
        return node;
    }

    private static int portOf(RoomcastProcess node) {
        return node.awaitServing(Duration.ofSeconds(1));
    }

    private static void kill(RoomcastProcess node) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-KILL", Long.toString(node.pid())).start().waitFor(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> !node.isAlive());
    }

    private URI liveNode() {
        List<Integer> ports = List.copyOf(livePorts);
        int port = ports.get(ThreadLocalRandom.current().nextInt(ports.size()));
        return URI.create("ws://127.0.0.1:" + port);
    }

    /**
     * Waits until every member holds, in every room, the last acknowledged message of the room's current
     * epoch (or has been told past it): nothing is still on its way.
     */
    private static List<String> settle(List<ChaosClient> members, List<ChaosClient> publishers, List<String> rooms) {
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> behind(members, publishers, rooms).isEmpty());
        } catch (ConditionTimeoutException stillBehind) {
            // Reported with the check's findings below.
        }
        return behind(members, publishers, rooms);
    }

    /** The members that have not received a room's newest acknowledged message, with what they last got. */
    private static List<String> behind(List<ChaosClient> members, List<ChaosClient> publishers, List<String> rooms) {
        List<String> behind = new ArrayList<>();
        for (String room : rooms) {
            ChaosClient.Acked newest = newestAcked(publishers, room);
            if (newest == null) {
                continue;
            }
            for (ChaosClient member : members) {
                List<ChaosClient.Item> timeline = member.timeline(room);
                if (!member.joined() || !reached(timeline, newest)) {
                    behind.add(member + " joined=" + member.joined() + " " + room + " newest " + newest + " last "
                            + (timeline.isEmpty() ? null : timeline.get(timeline.size() - 1)));
                }
            }
        }
        return behind;
    }

    private static ChaosClient.Acked newestAcked(List<ChaosClient> publishers, String room) {
        ChaosClient.Acked newest = null;
        for (ChaosClient publisher : publishers) {
            for (ChaosClient.Acked acked : publisher.acked()) {
                if (acked.room().equals(room) && (newest == null || acked.nanos() > newest.nanos())) {
                    newest = acked;
                }
            }
        }
        return newest;
    }

    private static boolean reached(List<ChaosClient.Item> timeline, ChaosClient.Acked newest) {
        return timeline.stream().anyMatch(item -> item.epoch().equals(newest.epoch()) && item.offset() >= newest.offset());
    }

    private static Report check(List<ChaosClient> members, List<ChaosClient> publishers, List<String> rooms) {
        Map<String, Set<String>> ackedByRoom = new HashMap<>();
        int acked = 0;
        for (ChaosClient publisher : publishers) {
            for (ChaosClient.Acked a : publisher.acked()) {
                ackedByRoom.computeIfAbsent(a.room(), r -> new HashSet<>()).add(a.epoch() + ":" + a.offset());
                acked++;
            }
        }
        int received = 0;
        int reconnects = 0;
        int notices = 0;
        int silentGaps = 0;
        int duplicates = 0;
        List<String> examples = new ArrayList<>();
        for (ChaosClient member : members) {
            reconnects += member.reconnects();
            for (String room : rooms) {
                Set<String> seen = new HashSet<>();
                ChaosClient.Item previous = null;
                for (ChaosClient.Item item : member.timeline(room)) {
                    if (item.told()) {
                        notices++;
                        previous = item;
                        continue;
                    }
                    received++;
                    if (!seen.add(item.epoch() + ":" + item.offset())) {
                        duplicates++;
                        addExample(examples, member, room, "duplicate " + item);
                        continue;
                    }
                    if (previous != null && !contiguous(previous, item, ackedByRoom.getOrDefault(room, Set.of()))) {
                        silentGaps++;
                        addExample(examples, member, room, "gap " + previous + " -> " + item);
                    }
                    previous = item;
                }
            }
        }
        return new Report(acked, received, reconnects, notices, silentGaps, duplicates, examples);
    }

    /**
     * Whether {@code next} follows {@code previous} with nothing missed: the next offset of the same
     * epoch, or offset 1 of a new epoch when no acknowledged message of the old one after
     * {@code previous} exists (the old epoch had ended there).
     */
    private static boolean contiguous(ChaosClient.Item previous, ChaosClient.Item next, Set<String> acked) {
        if (previous.epoch().equals(next.epoch())) {
            return next.offset() == previous.offset() + 1;
        }
        return next.offset() == 1 && !acked.contains(previous.epoch() + ":" + (previous.offset() + 1));
    }

    private static void addExample(List<String> examples, ChaosClient member, String room, String what) {
        if (examples.size() < 10) {
            examples.add(room + " " + what);
        }
    }
}
