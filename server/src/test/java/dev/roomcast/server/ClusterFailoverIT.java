package dev.roomcast.server;

import static dev.roomcast.testing.JsonWs.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.NodeProcesses;
import dev.roomcast.testing.RedisCluster;
import dev.roomcast.testing.RedisServer;
import dev.roomcast.testing.RoomListing;
import io.lettuce.core.KillArgs;
import io.lettuce.core.MigrateArgs;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes on {@code --broker redis-cluster://…} (#18), each a {@code roomcast serve} process of its own: a Redis
 * Cluster of three masters with one replica each, every node an own process on free loopback ports,
 * {@code cluster-node-timeout} 1 s. Rooms are spread over every
 * shard; one shard's master is killed with SIGKILL: its rooms pause until the replica is promoted and resume
 * without a node restart, the other shards' rooms never stop acknowledging publishes, each room keeps its order,
 * and what replication lost is reported as {@code recovered:false}. A room whose slot migrates to another master
 * (keys moved as {@code redis-cli --cluster reshard} does) keeps its order and exact recovery.
 */
@Tag("redis")
@Timeout(180)
class ClusterFailoverIT {

    private static final AtomicInteger ROOMS = new AtomicInteger();
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(1);
    /** Failover takes the node timeout, the replicas' election and the nodes' next topology refresh (every second). */
    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(30);
    private static final int ROOMS_PER_SHARD = 2;

    private RedisCluster cluster;
    private NodeProcesses nodes;
    private int portA;
    private int portB;

    @BeforeEach
    void start() {
        cluster = RedisCluster.start(3, NODE_TIMEOUT);
        // The publishers send as fast as answers come back, hundreds a second; what one node publishes on the new
        // master before the other has moved its subscription there is read from history, which must hold it
        // (with the default 100 it may not, and members then get recovered:false instead, as designed).
        nodes = NodeProcesses.start(2, cluster.uri(), "--history-size", "1000");
        portA = nodes.port(0);
        portB = nodes.port(1);
    }

    @AfterEach
    void stop() {
        if (nodes != null) {
            nodes.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void roomsOfEveryShardPublishAndRecoverAcrossNodes() {
        Map<RedisServer, List<String>> shards = roomsOnEveryShard("spread");
        List<String> rooms = shards.values().stream().flatMap(List::stream).toList();
        try (JsonWs publisher = JsonWs.connect(portA, "pub");
             JsonWs member = JsonWs.connect(portB, "mem");
             JsonWs recovering = JsonWs.connect(portB, "rc")) {
            joinAll(publisher, rooms);
            joinAll(member, rooms);
            joinAll(recovering, rooms);
            Map<String, JsonNode> seen = new HashMap<>();
            for (String room : rooms) {
                for (int i = 0; i < 3; i++) {
                    publisher.publishOk(room, room + "-" + i);
                }
                seen.put(room, lastMessage(recovering, room + "-2"));
            }
            for (String room : rooms) {
                assertThat(cluster.masterOf("roomcast:{" + room + "}:position").redis().exists("roomcast:{" + room + "}:position"))
                        .as("room %s's keys are on the master of its slot", room).isEqualTo(1);
            }
            Map<String, List<String>> delivered = Delivered.perRoom(member, rooms, room -> room + "-2").texts();
            rooms.forEach(room -> assertThat(delivered.get(room)).containsExactly(room + "-0", room + "-1", room + "-2"));
            recovering.close();

            for (String room : rooms) {
                publisher.publishOk(room, room + "-3");
                publisher.publishOk(room, room + "-4");
            }
            try (JsonWs back = JsonWs.connect(portA, "rc")) {
                for (String room : rooms) {
                    assertThat(Recovery.rejoin(back, room, seen.get(room), room + "-4"))
                            .as("exact recovery of %s on the other node", room)
                            .isEqualTo(new Recovery(true, List.of(room + "-3", room + "-4")));
                }
            }
        }
    }

    @Test
    void aShardsMasterDiesItsRoomsPauseAndResumeTheOthersNeverPause() throws Exception {
        Map<RedisServer, List<String>> shards = roomsOnEveryShard("failover");
        RedisServer doomed = shards.keySet().iterator().next();
        List<String> pausing = shards.get(doomed);
        List<String> steady = shards.entrySet().stream().filter(shard -> shard.getKey() != doomed)
                .flatMap(shard -> shard.getValue().stream()).toList();
        List<String> rooms = new ArrayList<>(pausing);
        rooms.addAll(steady);
        try (JsonWs memberA = JsonWs.connect(portA, "ma");
             JsonWs memberB = JsonWs.connect(portB, "mb")) {
            joinAll(memberA, rooms);
            joinAll(memberB, rooms);
            Publishing steadyRooms = new Publishing(steady);
            Publishing pausingRooms = new Publishing(pausing);
            AtomicBoolean killed = new AtomicBoolean();
            CompletableFuture<Void> steadyRun = CompletableFuture.runAsync(() -> steadyRooms.until(killed, 20));
            CompletableFuture<Void> pausingRun = CompletableFuture.runAsync(() -> pausingRooms.until(killed, 20));
            await("publishes acknowledged in every room before the kill").atMost(Duration.ofSeconds(30))
                    .until(() -> steadyRooms.acknowledgedInEveryRoom() && pausingRooms.acknowledgedInEveryRoom());

            doomed.kill();
            long killedAt = System.nanoTime();
            killed.set(true);
            steadyRooms.killedAt = killedAt;
            pausingRooms.killedAt = killedAt;
            pausingRun.get(FAILOVER_BOUND.toSeconds() + 30, TimeUnit.SECONDS);
            steadyRun.get(FAILOVER_BOUND.toSeconds() + 30, TimeUnit.SECONDS);

            long pausedMs = (pausingRooms.firstAcknowledgedAfterKill - killedAt) / 1_000_000;
            System.out.printf("ClusterFailoverIT: the killed shard's rooms had publishes acknowledged again %d ms after"
                            + " SIGKILL of their master; the other shards' rooms: %d publishes during that time, none"
                            + " failed, longest wait for one %d ms%n",
                    pausedMs, steadyRooms.acknowledgedBefore(pausingRooms.firstAcknowledgedAfterKill),
                    steadyRooms.longestPublishMs);
            assertThat(pausedMs).as("the failover ends within %s", FAILOVER_BOUND).isLessThan(FAILOVER_BOUND.toMillis());
            assertThat(steadyRooms.failed).as("the other shards' rooms never fail a publish").isEmpty();
            assertThat(steadyRooms.acknowledgedBefore(pausingRooms.firstAcknowledgedAfterKill))
                    .as("the other shards' rooms keep acknowledging while the killed shard fails over").isPositive();
            assertThat(cluster.masterOf("roomcast:{" + pausing.get(0) + "}:position")).isNotSameAs(doomed);

            Map<String, String> last = new HashMap<>();
            steadyRooms.lastAcknowledged(last);
            pausingRooms.lastAcknowledged(last);
            for (JsonWs member : List.of(memberA, memberB)) {
                Delivered delivered = Delivered.perRoom(member, rooms, last::get);
                for (String room : rooms) {
                    List<String> texts = delivered.texts().get(room);
                    assertThat(texts).as("nothing twice in %s", room).doesNotHaveDuplicates();
                    assertThat(texts).as("in the order published in %s", room).isSortedAccordingTo(
                            (x, y) -> Integer.compare(Publishing.sequence(x), Publishing.sequence(y)));
                    List<String> acknowledged = (steady.contains(room) ? steadyRooms : pausingRooms).acknowledged.get(room);
                    if (steady.contains(room)) {
                        assertThat(texts).as("every publish of a room on another shard").containsAll(acknowledged);
                        assertThat(delivered.gaps().getOrDefault(room, 0)).as("no gap in %s", room).isZero();
                    } else {
                        assertThat(texts).as("every publish acknowledged after the failover in %s", room)
                                .containsAll(pausingRooms.acknowledgedAfterKill.get(room));
                        Set<String> missing = new HashSet<>(acknowledged);
                        texts.forEach(missing::remove);
                        if (!missing.isEmpty()) {
                            assertThat(delivered.gaps().getOrDefault(room, 0))
                                    .as("acknowledged in %s but not delivered, so reported: %s", room, missing).isPositive();
                        }
                    }
                }
            }
        }
    }

    @Test
    void acknowledgedPublishesTheReplicaNeverGotAreReportedAsRecoveredFalse() {
        String room = roomsOnEveryShard("lost").values().iterator().next().get(0);
        RedisServer master = cluster.masterOf("roomcast:{" + room + "}:position");
        RedisServer replica = cluster.replicaOf(master);
        try (JsonWs publisher = JsonWs.connect(portA, "pub");
             JsonWs member = JsonWs.connect(portB, "sam");
             JsonWs recovering = JsonWs.connect(portB, "rc")) {
            joinAll(publisher, List.of(room));
            joinAll(member, List.of(room));
            joinAll(recovering, List.of(room));
            JsonNode kept = publisher.publishOk(room, "kept");
            await("the replica has it").until(() -> replica.redis().info("replication"),
                    info -> info.contains("master_link_status:up") && replicaOffsetCaughtUp(master, replica));

            // Stops replication for good while the nodes keep their connections (they are authenticated already).
            master.redis().configSet("requirepass", "replicas-keep-out");
            master.redis().clientKill(KillArgs.Builder.typeSlave());
            await("replication is down").until(() -> replica.redis().info("replication").contains("master_link_status:down"));
            publisher.publishOk(room, "lost1");
            publisher.publishOk(room, "lost2");
            assertThat(member.messagesUntil("lost2")).containsExactly("kept", "lost1", "lost2");
            JsonNode recoverFrom = lastMessage(recovering, "lost2");
            recovering.close();

            master.kill();
            AtomicInteger attempt = new AtomicInteger();
            JsonNode after = await("a publish succeeds after the failover").atMost(FAILOVER_BOUND)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> publisher.publish(room, "after-" + attempt.incrementAndGet()),
                            answer -> "ok".equals(answer.path("type").asText()));
            String afterText = after.path("ref").asText();
            assertThat(after.path("epoch").asText()).as("a new epoch: offset 2 would name another message than lost2's")
                    .isNotEqualTo(kept.path("epoch").asText());
            assertThat(after.path("offset").asLong()).isEqualTo(1);

            JsonNode gap = member.nextOfType("recovered");
            assertThat(gap.path("recovered").asBoolean()).isFalse();
            assertThat(gap.path("epoch").asText()).isEqualTo(after.path("epoch").asText());
            assertThat(gap.path("offset").asLong()).isZero();
            assertThat(member.messagesUntil(afterText)).as("only attempts of the publish after the failover")
                    .allMatch(text -> text.startsWith("after-"));

            try (JsonWs back = JsonWs.connect(portA, "rc")) {
                assertThat(Recovery.rejoin(back, room, recoverFrom, afterText).recovered()).isFalse();
            }
        }
    }

    @Test
    void eachNodeListsTheRoomsOfBothNodesFromEveryShard() {
        Map<RedisServer, List<String>> shards = roomsOnEveryShard("listed");
        List<String> onA = shards.values().stream().map(rooms -> rooms.get(0)).toList();
        List<String> onB = shards.values().stream().map(rooms -> rooms.get(1)).toList();
        Map<String, Integer> expected = new HashMap<>();
        onA.forEach(room -> expected.put(room, 1));
        onB.forEach(room -> expected.put(room, 2));
        try (JsonWs memberA = JsonWs.connect(portA, "la");
             JsonWs memberB = JsonWs.connect(portB, "lb");
             JsonWs alsoB = JsonWs.connect(portB, "lc")) {
            joinAll(memberA, onA);
            joinAll(memberB, onB);
            joinAll(alsoB, onB);
            // Another node's rooms are as of its last heartbeat (every third of the 15 s lease).
            for (int port : nodes.ports()) {
                await("GET /v1/rooms on the node at port " + port).atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(RoomListing.of(port, expected.keySet())).isEqualTo(expected));
            }
        }
    }

    @Test
    void aShardWithNoMasterLeftKeepsNodesReadyAndSaysSoUntilNoMasterAnswers() throws Exception {
        Map<RedisServer, List<String>> shards = roomsOnEveryShard("ready");
        for (int node : List.of(0, 1)) {
            assertThat(nodes.readiness(node)).isEqualTo("200 ready");
        }
        RedisServer doomed = shards.keySet().iterator().next();
        RedisServer replica = cluster.replicaOf(doomed);
        String otherRoom = shards.entrySet().stream().filter(shard -> shard.getKey() != doomed).findFirst().orElseThrow()
                .getValue().get(0);
        replica.kill();
        doomed.kill();
        try (JsonWs publisher = JsonWs.connect(portA, "rp")) {
            joinAll(publisher, List.of(otherRoom));
            String silent = "200 ready: Redis Cluster masters not answering: 127.0.0.1:" + doomed.port()
                    + " (the rooms of their slots pause)";
            for (int node : List.of(0, 1)) {
                await("node " + node + " tells of the shard that does not answer").atMost(FAILOVER_BOUND)
                        .until(() -> nodes.readiness(node), silent::equals);
            }
            publisher.publishOk(otherRoom, "the other shards' rooms keep going");
        }
        for (RedisServer master : cluster.masters()) {
            master.kill();
        }
        for (int node : List.of(0, 1)) {
            await("node " + node + " is not ready once no master answers").atMost(FAILOVER_BOUND)
                    .until(() -> nodes.readiness(node), "503 not ready: broker unreachable"::equals);
        }
    }

    /** Joins each room, skipping the presence announcements of others that arrive meanwhile. */
    @Test
    void aRoomWhoseSlotMigratesToAnotherMasterKeepsItsOrderAndRecovery() {
        Map<RedisServer, List<String>> shards = roomsOnEveryShard("migrating");
        Iterator<RedisServer> masters = shards.keySet().iterator();
        RedisServer source = masters.next();
        RedisServer target = masters.next();
        String room = shards.get(source).get(0);
        String position = "roomcast:{" + room + "}:position";
        try (JsonWs publisher = JsonWs.connect(portA, "pub");
             JsonWs member = JsonWs.connect(portB, "mem");
             JsonWs recovering = JsonWs.connect(portB, "rc")) {
            List.of(publisher, member, recovering).forEach(client -> joinAll(client, List.of(room)));
            for (int i = 0; i < 3; i++) {
                publisher.publishOk(room, "m-" + i);
            }
            JsonNode seen = lastMessage(recovering, "m-2");
            recovering.close();

            migrateSlot(SlotHash.getSlot(position), source, target);
            assertThat(cluster.masterOf(position)).as("the room's slot is served by the other master").isEqualTo(target);

            for (int i = 3; i < 8; i++) {
                publisher.publishOk(room, "m-" + i);
            }
            assertThat(Delivered.perRoom(member, List.of(room), r -> "m-7").texts().get(room))
                    .as("every message once, in order, across the migration")
                    .containsExactly("m-0", "m-1", "m-2", "m-3", "m-4", "m-5", "m-6", "m-7");
            try (JsonWs back = JsonWs.connect(portA, "rc")) {
                assertThat(Recovery.rejoin(back, room, seen, "m-7")).as("exact recovery from before the migration")
                        .isEqualTo(new Recovery(true, List.of("m-3", "m-4", "m-5", "m-6", "m-7")));
            }
        }
    }

    /** Moves one slot and its keys from {@code source} to {@code target}, as {@code redis-cli --cluster reshard} does. */
    private void migrateSlot(int slot, RedisServer source, RedisServer target) {
        String sourceId = source.redis().clusterMyId();
        String targetId = target.redis().clusterMyId();
        target.redis().clusterSetSlotImporting(slot, sourceId);
        source.redis().clusterSetSlotMigrating(slot, targetId);
        List<String> keys = source.redis().clusterGetKeysInSlot(slot, 1000);
        if (!keys.isEmpty()) {
            source.redis().migrate("127.0.0.1", target.port(), 0, 5000,
                    MigrateArgs.Builder.keys(keys.toArray(String[]::new)));
        }
        for (RedisServer master : cluster.masters()) {
            master.redis().clusterSetSlotNode(slot, targetId);
        }
    }

    private static void joinAll(JsonWs client, List<String> rooms) {
        for (String room : rooms) {
            client.send("type", "join", "room", room, "ref", "join-" + room);
            JsonNode answer;
            do {
                answer = client.next();
            } while (!("join-" + room).equals(answer.path("ref").asText()));
            assertThat(answer.path("type").asText()).as("answer to joining %s: %s", room, answer).isEqualTo("ok");
        }
    }

    /** Whether the replica has applied everything the master sent it so far. */
    private static boolean replicaOffsetCaughtUp(RedisServer master, RedisServer replica) {
        return offset(master.redis().info("replication"), "master_repl_offset:")
                == offset(replica.redis().info("replication"), "slave_repl_offset:");
    }

    private static long offset(String info, String field) {
        return info.lines().filter(line -> line.startsWith(field)).findFirst()
                .map(line -> Long.parseLong(line.substring(field.length()).strip())).orElse(-1L);
    }

    /** {@link #ROOMS_PER_SHARD} fresh room names for each master, by the slot of their hash tag. */
    private Map<RedisServer, List<String>> roomsOnEveryShard(String prefix) {
        Map<RedisServer, List<String>> shards = new LinkedHashMap<>();
        List<RedisServer> masters = cluster.masters();
        assertThat(masters).hasSize(3);
        masters.forEach(master -> shards.put(master, new ArrayList<>()));
        while (shards.values().stream().anyMatch(rooms -> rooms.size() < ROOMS_PER_SHARD)) {
            String room = prefix + "-" + ROOMS.incrementAndGet();
            List<String> onShard = shards.get(cluster.masterOf("roomcast:{" + room + "}:position"));
            if (onShard.size() < ROOMS_PER_SHARD) {
                onShard.add(room);
            }
        }
        return shards;
    }

    /** The message frame with text {@code text}, skipping those before it. */
    private static JsonNode lastMessage(JsonWs client, String text) {
        while (true) {
            JsonNode message = client.nextOfType("message");
            if (text.equals(message.path("text").asText())) {
                return message;
            }
        }
    }

    /**
     * Publishes steadily to some rooms from both nodes, in turn, on a thread of its own: one publisher per node,
     * each waiting for its answer. Texts are {@code <room>#<sequence>}, the sequence growing per room.
     */
    private final class Publishing {

        final List<String> rooms;
        final Map<String, List<String>> acknowledged = new HashMap<>();
        /** Of those, the ones sent after the kill was known. */
        final Map<String, List<String>> acknowledgedAfterKill = new HashMap<>();
        final List<String> failed = new ArrayList<>();
        /** When each acknowledged publish was answered, in order. */
        final List<Long> acknowledgedAt = new ArrayList<>();
        volatile long killedAt;
        volatile long firstAcknowledgedAfterKill;
        volatile long longestPublishMs;

        Publishing(List<String> rooms) {
            this.rooms = rooms;
            rooms.forEach(room -> {
                acknowledged.put(room, new ArrayList<>());
                acknowledgedAfterKill.put(room, new ArrayList<>());
            });
        }

        static int sequence(String text) {
            return Integer.parseInt(text.substring(text.lastIndexOf('#') + 1));
        }

        /** Publishes until {@code killed} and then {@code afterKill} more acknowledged rounds of every room. */
        void until(AtomicBoolean killed, int afterKill) {
            try (JsonWs publisherA = JsonWs.connect(portA, "pa");
                 JsonWs publisherB = JsonWs.connect(portB, "pb")) {
                joinAll(publisherA, rooms);
                joinAll(publisherB, rooms);
                int sequence = 0;
                int roundsAfterKill = 0;
                long deadline = Long.MAX_VALUE;
                while (roundsAfterKill < afterKill) {
                    boolean afterTheKill = killed.get();
                    if (afterTheKill && deadline == Long.MAX_VALUE) {
                        deadline = System.nanoTime() + FAILOVER_BOUND.toNanos() * 2;
                    }
                    assertThat(System.nanoTime()).as("publishes resume within the bound").isLessThan(deadline);
                    boolean all = true;
                    for (String room : rooms) {
                        JsonWs publisher = sequence % 2 == 0 ? publisherA : publisherB;
                        String text = room + "#" + sequence++;
                        long sent = System.nanoTime();
                        JsonNode answer = publisher.publish(room, text);
                        long answered = System.nanoTime();
                        synchronized (this) {
                            if ("ok".equals(answer.path("type").asText())) {
                                acknowledged.get(room).add(text);
                                if (killedAt != 0 && sent > killedAt) {
                                    acknowledgedAfterKill.get(room).add(text);
                                }
                                acknowledgedAt.add(answered);
                                if (killedAt != 0 && sent > killedAt && firstAcknowledgedAfterKill == 0) {
                                    firstAcknowledgedAfterKill = answered;
                                }
                            } else {
                                all = false;
                                failed.add(text + ": " + answer);
                            }
                            if (killedAt != 0) {
                                longestPublishMs = Math.max(longestPublishMs, (answered - sent) / 1_000_000);
                            }
                        }
                    }
                    if (afterTheKill && all && firstAcknowledgedAfterKill != 0) {
                        roundsAfterKill++;
                    }
                }
            }
        }

        synchronized boolean acknowledgedInEveryRoom() {
            return acknowledged.values().stream().noneMatch(List::isEmpty);
        }

        synchronized long acknowledgedBefore(long nanos) {
            return acknowledgedAt.stream().filter(at -> at > killedAt && at < nanos).count();
        }

        synchronized void lastAcknowledged(Map<String, String> last) {
            acknowledged.forEach((room, texts) -> last.put(room, texts.get(texts.size() - 1)));
        }
    }

    /** What a member received up to each room's last message: the texts per room in order and the {@code recovered:false} notices. */
    private record Delivered(Map<String, List<String>> texts, Map<String, Integer> gaps) {

        static Delivered perRoom(JsonWs member, List<String> rooms, Function<String, String> lastOf) {
            Map<String, List<String>> texts = new HashMap<>();
            Map<String, Integer> gaps = new HashMap<>();
            rooms.forEach(room -> texts.put(room, new ArrayList<>()));
            Set<String> done = new HashSet<>();
            while (done.size() < rooms.size()) {
                JsonNode frame = member.next();
                String room = frame.path("room").asText();
                switch (frame.path("type").asText()) {
                    case "message" -> {
                        if (texts.containsKey(room)) {
                            String text = frame.path("text").asText();
                            texts.get(room).add(text);
                            if (text.equals(lastOf.apply(room))) {
                                done.add(room);
                            }
                        }
                    }
                    case "recovered" -> gaps.merge(room, frame.path("recovered").asBoolean() ? 0 : 1, Integer::sum);
                    default -> { }
                }
            }
            return new Delivered(texts, gaps);
        }
    }

    /** A rejoin with {@code since}: whether the server recovered, and the texts replayed and received up to {@code last}. */
    private record Recovery(boolean recovered, List<String> texts) {

        static Recovery rejoin(JsonWs client, String room, JsonNode since, String last) {
            client.send("type", "join", "room", room, "ref", "rejoin-" + room,
                    "since", obj("epoch", since.path("epoch").asText(), "offset", since.path("offset").asLong()));
            boolean recovered = client.nextOfType("recovered").path("recovered").asBoolean();
            if (!recovered) {
                return new Recovery(false, List.of());
            }
            List<String> texts = new ArrayList<>();
            while (texts.isEmpty() || !texts.get(texts.size() - 1).equals(last)) {
                JsonNode frame = client.nextOfType("message");
                if (room.equals(frame.path("room").asText())) {
                    texts.add(frame.path("text").asText());
                }
            }
            return new Recovery(true, texts);
        }
    }
}
