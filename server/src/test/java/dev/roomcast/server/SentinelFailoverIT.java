package dev.roomcast.server;

import static dev.roomcast.testing.JsonWs.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.NodeProcesses;
import dev.roomcast.testing.RedisServer;
import io.lettuce.core.KillArgs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes on {@code --broker redis-sentinel://…} (#18), each a {@code roomcast serve} process of its own: a master, a replica and three sentinels (quorum 2), each
 * an own process on a free loopback port. The master is killed with SIGKILL; the nodes follow the promoted replica
 * without a restart, deliver nothing twice, and report what replication lost as {@code recovered:false}, to the
 * members that stayed connected and to clients that recover.
 */
@Tag("redis")
@Timeout(180)
class SentinelFailoverIT {

    private static final AtomicInteger ROOMS = new AtomicInteger();
    /** Failover takes the sentinels' down-after, an election and a node's reconnect (at most 1 s apart). */
    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(20);

    private final List<RedisServer> sentinels = new ArrayList<>();
    private RedisServer master;
    private RedisServer replica;
    private NodeProcesses nodes;
    private int portA;
    private int portB;

    @BeforeEach
    void start() {
        master = RedisServer.start();
        replica = RedisServer.startReplicaOf(master.port());
        await("replica in sync").atMost(Duration.ofSeconds(20))
                .until(() -> replica.redis().info("replication").contains("master_link_status:up"));
        for (int i = 0; i < 3; i++) {
            sentinels.add(RedisServer.startSentinel(master));
        }
        await("sentinels know the replica and each other").atMost(Duration.ofSeconds(30)).until(() -> sentinels.stream()
                .allMatch(sentinel -> sentinel.redis().info("sentinel").contains("status=ok,address=127.0.0.1:"
                        + master.port() + ",slaves=1,sentinels=3")));
        String broker = RedisServer.sentinelUri(sentinels);
        nodes = NodeProcesses.start(2, broker);
        portA = nodes.port(0);
        portB = nodes.port(1);
    }

    @AfterEach
    void stop() {
        close(nodes);
        for (AutoCloseable redis : new AutoCloseable[] {replica, master}) {
            close(redis);
        }
        sentinels.forEach(SentinelFailoverIT::close);
    }

    @Test
    void nodesFollowTheFailoverWhilePublishingSteadilyAndDeliverNothingTwice() {
        String room = "failover-" + ROOMS.incrementAndGet();
        try (JsonWs publisherA = JsonWs.connect(portA, "pa");
             JsonWs publisherB = JsonWs.connect(portB, "pb");
             JsonWs memberA = JsonWs.connect(portA, "ma");
             JsonWs memberB = JsonWs.connect(portB, "mb");
             JsonWs recovering = JsonWs.connect(portB, "rc")) {
            for (JsonWs client : List.of(publisherA, publisherB, memberA, memberB, recovering)) {
                client.join(room);
            }
            List<String> acknowledged = new ArrayList<>();
            List<String> epochs = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            Set<String> unconfirmed = new HashSet<>();
            int sent = 0;
            for (; sent < 20; sent++) {
                publishBoth(room, sent, publisherA, publisherB, acknowledged, epochs, offsets, unconfirmed);
            }
            int seenByRecovering = acknowledged.size();
            JsonNode recoverFrom = lastMessage(recovering, acknowledged.get(seenByRecovering - 1));
            recovering.close();

            master.kill();
            long killedAt = System.nanoTime();
            long resumedAt = 0;
            int afterResume = 0;
            long deadline = killedAt + FAILOVER_BOUND.toNanos();
            // Publish steadily (both nodes, in turn) until both have had 20 publishes acknowledged after the failover.
            while (afterResume < 20) {
                assertThat(System.nanoTime()).as("nodes publish again within %s of the kill", FAILOVER_BOUND)
                        .isLessThan(deadline);
                int before = acknowledged.size();
                publishBoth(room, sent++, publisherA, publisherB, acknowledged, epochs, offsets, unconfirmed);
                if (acknowledged.size() - before == 2) {
                    resumedAt = resumedAt == 0 ? System.nanoTime() : resumedAt;
                    afterResume++;
                }
            }
            System.out.printf("SentinelFailoverIT: both nodes published again %d ms after SIGKILL of the master%n",
                    (resumedAt - killedAt) / 1_000_000);
            long lastOffset = offsets.get(offsets.size() - 1);
            // The room's epoch once the nodes publish again. A publish acknowledged after the failover in the epoch
            // before it (by a node that had not received what the failover lost, at a lost message's offset) makes the
            // room move on as well: it is reported by a gap, like the lost ones, as RedisBrokerIT shows.
            String epochAfter = epochs.get(epochs.size() - 1);
            Map<String, Long> afterFailover = new LinkedHashMap<>();
            for (int i = seenByRecovering; i < acknowledged.size(); i++) {
                if (epochs.get(i).equals(epochAfter)) {
                    afterFailover.put(acknowledged.get(i), offsets.get(i));
                }
            }
            assertThat(afterFailover.keySet()).as("the publishes of the last 20 rounds are in the room's last epoch")
                    .containsAll(acknowledged.subList(acknowledged.size() - 40, acknowledged.size()));
            for (JsonWs member : List.of(memberA, memberB)) {
                // Not until the last acknowledged publish arrives: when a node's catch-up after the failover finds that
                // more than the history holds was published meanwhile (under load one node's connections came back a
                // second after the other's, which published 300 messages in that second), it announces recovered:false
                // at the room's position then, which may be the last publish's, and delivers only what follows; the
                // members reload (docs/protocol.md). Announced, nothing is lost silently.
                Delivered delivered = Delivered.through(member, epochAfter, lastOffset);
                assertThat(delivered.texts()).as("nothing twice").doesNotHaveDuplicates();
                List<String> uncovered = afterFailover.entrySet().stream()
                        .filter(acked -> !delivered.announcedMissing(epochAfter, acked.getValue())).map(Map.Entry::getKey).toList();
                assertThat(delivered.texts()).as("every publish after the failover but those a recovered:false announced")
                        .containsAll(uncovered);
                Set<String> missing = new LinkedHashSet<>(acknowledged);
                delivered.texts().forEach(missing::remove);
                if (!missing.isEmpty()) {
                    assertThat(delivered.gaps()).as("acknowledged but not delivered, so reported: %s", missing).isNotEmpty();
                }
                assertThat(unconfirmed).as("an unconfirmed publish is delivered at most once").allSatisfy(text ->
                        assertThat(delivered.texts().stream().filter(text::equals).count()).isLessThanOrEqualTo(1));
            }

            try (JsonWs back = JsonWs.connect(portB, "rc")) {
                Recovery recovery = Recovery.rejoin(back, room, recoverFrom, epochAfter, lastOffset);
                if (recovery.recovered()) {
                    assertThat(recovery.texts()).as("everything acknowledged that followed, once").doesNotHaveDuplicates()
                            .containsAll(acknowledged.subList(seenByRecovering, acknowledged.size()));
                }
            }
        }
    }

    @Test
    void acknowledgedPublishesTheReplicaNeverGotAreReportedAsRecoveredFalse() {
        String room = "lost-" + ROOMS.incrementAndGet();
        try (JsonWs publisher = JsonWs.connect(portA, "pub");
             JsonWs member = JsonWs.connect(portB, "sam");
             JsonWs recovering = JsonWs.connect(portB, "rc")) {
            publisher.join(room);
            member.join(room);
            recovering.join(room);
            JsonNode kept = publisher.publishOk(room, "kept");
            await("the replica has it").until(() -> replica.redis().hget("roomcast:{" + room + "}:position", "offset"),
                    offset -> "1".equals(offset));

            cutReplicaOff();
            publisher.publishOk(room, "lost1");
            publisher.publishOk(room, "lost2");
            assertThat(member.messagesUntil("lost2")).containsExactly("kept", "lost1", "lost2");
            JsonNode recoverFrom = lastMessage(recovering, "lost2");
            recovering.close();

            master.kill();
            JsonNode after = publishWhenBack(publisher, room, "after");
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

            try (JsonWs back = JsonWs.connect(portB, "rc")) {
                assertThat(Recovery.rejoin(back, room, recoverFrom, after.path("epoch").asText(), after.path("offset").asLong())
                        .recovered()).isFalse();
            }
        }
    }

    /**
     * Stops replication for good while the nodes keep their connections: the replica can no longer authenticate
     * (established connections stay authenticated), and its link is dropped. A relay would not do: the sentinels
     * point a replica that replicates from another address back at the master they know.
     */
    private void cutReplicaOff() {
        master.redis().configSet("requirepass", "replicas-keep-out");
        master.redis().clientKill(KillArgs.Builder.typeSlave());
        await("replication is down").until(() -> replica.redis().info("replication").contains("master_link_status:down"));
    }

    /**
     * Publishes one message on each node, noting each acknowledged one's epoch and offset; a publish answered with an
     * error is retried by the caller's loop.
     */
    private static void publishBoth(String room, int round, JsonWs publisherA, JsonWs publisherB,
                                    List<String> acknowledged, List<String> epochs, List<Long> offsets,
                                    Set<String> unconfirmed) {
        for (JsonWs publisher : List.of(publisherA, publisherB)) {
            String text = publisher.user() + "-" + round;
            JsonNode answer = publisher.publish(room, text);
            if ("ok".equals(answer.path("type").asText())) {
                acknowledged.add(text);
                epochs.add(answer.path("epoch").asText());
                offsets.add(answer.path("offset").asLong());
            } else {
                unconfirmed.add(text);
            }
        }
    }

    private static JsonNode publishWhenBack(JsonWs publisher, String room, String text) {
        AtomicInteger attempt = new AtomicInteger();
        return await("a publish succeeds after the failover").atMost(FAILOVER_BOUND).pollInterval(Duration.ofMillis(100))
                .until(() -> publisher.publish(room, text + "-" + attempt.incrementAndGet()),
                        answer -> "ok".equals(answer.path("type").asText()));
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

    private static void close(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a member received up to a position: the texts in order, and the positions ({@code epoch}, {@code offset})
     * of the {@code recovered:false} notices.
     */
    private record Delivered(List<String> texts, List<JsonNode> gaps) {

        /** Until the message at the position, or a {@code recovered:false} at or after it, which covers it. */
        static Delivered through(JsonWs member, String epoch, long offset) {
            List<String> texts = new ArrayList<>();
            List<JsonNode> gaps = new ArrayList<>();
            while (true) {
                JsonNode frame = member.next();
                switch (frame.path("type").asText()) {
                    case "message" -> texts.add(frame.path("text").asText());
                    case "recovered" -> {
                        if (frame.path("recovered").asBoolean()) {
                            continue;
                        }
                        gaps.add(frame);
                    }
                    default -> {
                        continue;
                    }
                }
                if (frame.path("epoch").asText().equals(epoch) && frame.path("offset").asLong() >= offset) {
                    return new Delivered(texts, gaps);
                }
            }
        }

        /** Whether a {@code recovered:false} told the member that messages up to at least this position may be missing. */
        boolean announcedMissing(String epoch, long offset) {
            return gaps.stream().anyMatch(gap -> gap.path("epoch").asText().equals(epoch) && gap.path("offset").asLong() >= offset);
        }
    }

    /** A rejoin with {@code since}: whether the server recovered, and the texts replayed and received up to a position. */
    private record Recovery(boolean recovered, List<String> texts) {

        static Recovery rejoin(JsonWs client, String room, JsonNode since, String epoch, long lastOffset) {
            client.send("type", "join", "room", room, "ref", "rejoin",
                    "since", obj("epoch", since.path("epoch").asText(), "offset", since.path("offset").asLong()));
            boolean recovered = client.nextOfType("recovered").path("recovered").asBoolean();
            return new Recovery(recovered, recovered ? Delivered.through(client, epoch, lastOffset).texts() : List.of());
        }
    }
}
