package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.NodeProcesses;
import dev.roomcast.testing.RedisCluster;
import dev.roomcast.testing.RedisServer;
import dev.roomcast.testing.RoomcastProcess;
import dev.roomcast.testing.TcpRelay;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence tells the truth after a node crash and after an outage (#10). Crash: node C, a separate
 * JVM, is killed with SIGKILL; once its presence lease (3 s here) has run out, the members on the two
 * surviving in-process nodes each get exactly one {@code left} for the user that was only on C, and
 * none for a user still connected to a survivor. Outage: a user leaves and another arrives on node B
 * while B is cut off from Redis; once B is back, its heartbeat announces both. Redis down: users leave
 * node A while Redis is killed (then restarted empty) or stalled past the command timeout (then resumed
 * with its data and the held scripts); a member on node B gets exactly one {@code left} for the user
 * who is gone, none for a user still connected to B, none for one still on A; and the same on a Redis Cluster
 * whose shard master of the room restarts empty. On an own redis-server (or cluster).
 */
@Tag("redis")
@Timeout(90)
class PresenceAfterCrashIT {

    @Test
    void aCrashedNodesUsersAreAnnouncedLeftOnceAfterTheLeaseUnlessConnectedElsewhere() throws IOException {
        String room = "crash";
        try (RedisServer redis = RedisServer.start();
             TestServer nodeA = survivor(redis);
             TestServer nodeB = survivor(redis);
             RoomcastProcess nodeC = RoomcastProcess.startJar(Map.of(), "--port", "0", "--broker", redis.uri(),
                     "--presence-lease", "3s")) {
            int portC = nodeC.awaitServing(Duration.ofSeconds(30));
            try (JsonWs watcherA = JsonWs.connect(nodeA, "watcher-a");
                 JsonWs watcherB = JsonWs.connect(nodeB, "watcher-b");
                 JsonWs carlHere = JsonWs.connect(nodeA, "carl")) {
                watcherA.join(room);
                watcherB.join(room);
                carlHere.join(room);
                WsClient bob = WsClient.connect(URI.create("ws://127.0.0.1:" + portC + "/v1/ws?name=bob"));
                WsClient carlThere = WsClient.connect(URI.create("ws://127.0.0.1:" + portC + "/v1/ws?name=carl"));
                bob.send("{\"type\":\"join\",\"ref\":\"j\",\"room\":\"" + room + "\"}");
                carlThere.send("{\"type\":\"join\",\"ref\":\"j\",\"room\":\"" + room + "\"}");
                awaitPresence(watcherA, room, List.of("bob", "carl", "watcher-a", "watcher-b"));

                new ProcessBuilder("kill", "-KILL", Long.toString(nodeC.pid())).start();
                await().atMost(Duration.ofSeconds(20)).until(() -> !nodeC.isAlive());

                for (JsonWs watcher : List.of(watcherA, watcherB)) {
                    assertThat(presenceFramesUntilLeftOf(watcher, "bob")).as("no left for carl, still on node A")
                            .noneMatch(frame -> frame.equals("left:carl"));
                }
                // The crashed node's entries are gone with the announcement, in one step: no second left can follow.
                await().until(() -> redis.redis().keys("roomcast:{" + room + "}:presence:*").size() == 2);
                awaitPresence(watcherA, room, List.of("carl", "watcher-a", "watcher-b"));
                for (JsonWs watcher : List.of(watcherA, watcherB)) {
                    watcher.send("type", "publish", "ref", "marker", "room", room, "text", "marker");
                    assertThat(presenceFramesUntilMessage(watcher, "marker")).doesNotContain("left:bob", "left:carl");
                }
                bob.close();
                carlThere.close();
            }
        }
    }

    @Test
    void changesWhileANodeWasCutOffFromRedisAreAnnouncedOnceItIsBack() throws IOException {
        String room = "outage";
        try (RedisServer redis = RedisServer.start();
             TcpRelay relay = new TcpRelay("127.0.0.1", redis.port());
             TestServer nodeA = survivor(redis);
             TestServer nodeB = TestServer.start(settings -> TestServer.withoutRateLimit(settings)
                     .broker("redis://127.0.0.1:" + relay.port()).presenceLease(Duration.ofSeconds(3)));
             JsonWs watcher = JsonWs.connect(nodeA, "watcher")) {
            watcher.join(room);
            JsonWs dave = JsonWs.connect(nodeB, "dave");
            dave.join(room);
            assertThat(presenceFramesUntil(watcher, "joined:dave")).endsWith("joined:dave");

            relay.cut();
            await().until(() -> !nodeB.node().hub().brokerReady());
            dave.close();
            // A join is refused while Redis is unreachable: erin never was in the room and is not announced.
            JsonWs erin = JsonWs.connect(nodeB, "erin");
            erin.send("type", "join", "ref", "j", "room", room);
            assertThat(erin.next().path("code").asText()).isEqualTo("internal");
            relay.restore();

            assertThat(presenceFramesUntil(watcher, "left:dave")).containsExactly("left:dave");
            awaitPresence(watcher, room, List.of("watcher"));
            watcher.send("type", "publish", "ref", "marker", "room", room, "text", "marker");
            assertThat(presenceFramesUntilMessage(watcher, "marker")).isEmpty();
            erin.close();
        }
    }

    @Test
    void aUserWhoLeftWhileRedisWasDownIsAnnouncedOnceAfterItRestartsEmpty() throws IOException {
        leaveWhileRedisIsDown(Duration.ofSeconds(3), RedisServer::kill, nodeA -> { }, RedisServer::restartEmpty);
    }

    @Test
    void aUserWhoLeftWhileRedisStalledIsAnnouncedOnceWhenItAnswersAgain() throws IOException {
        // Past the command timeout (5 s) the node cannot know whether Redis will still run the change: it will.
        // The lease outlasts the stall: a stall longer than the lease makes every node look crashed.
        leaveWhileRedisIsDown(Duration.ofSeconds(10), RedisServer::stall, nodeA -> await().atMost(Duration.ofSeconds(20))
                .until(() -> announceFailures(nodeA.node().metrics().scrape()) >= 2), RedisServer::resume);
    }

    /**
     * As with one Redis, per shard of a Redis Cluster: dave, and carl's session on node A, leave while the master of
     * the room's shard is down; it comes back empty as that shard's master (its replica may not take over). The nodes
     * are processes of their own.
     */
    @Test
    @Timeout(150)
    void aUserWhoLeftWhileTheMasterOfTheRoomsShardWasDownIsAnnouncedOnceAfterItRestartsEmpty() throws IOException {
        String room = "shard-down";
        try (RedisCluster cluster = RedisCluster.start(3, Duration.ofSeconds(1));
             NodeProcesses nodes = NodeProcesses.start(2, cluster.uri(), "--presence-lease", "3s")) {
            RedisServer master = cluster.masterOf("roomcast:{" + room + "}:position");
            cluster.replicaOf(master).redis().configSet("cluster-replica-no-failover", "yes");
            leaveWhileDown(room, nodes.port(0), nodes.port(1), () -> {
                master.kill();
                await().atMost(Duration.ofSeconds(20)).until(() -> nodes.readiness(0).contains("127.0.0.1:" + master.port()));
            }, () -> await().atMost(Duration.ofSeconds(20)).until(() -> announceFailures(nodes.metrics(0)) >= 2),
                    master::restartEmpty);
            assertThat(nodes.node(0).stdout() + nodes.node(0).stderr())
                    .contains("Redis Cluster master 127.0.0.1:" + master.port() + " restarted");
        }
    }

    /**
     * dave, and carl's session on node A, leave while Redis is down; carl stays on node B and erin on A.
     * Once Redis is back the watcher on B hears exactly one left, dave's.
     */
    private static void leaveWhileRedisIsDown(Duration lease, Consumer<RedisServer> down, Consumer<TestServer> whileDown,
                                              Consumer<RedisServer> up) throws IOException {
        String room = "down";
        try (RedisServer redis = RedisServer.start();
             TestServer nodeA = node(redis, lease);
             TestServer nodeB = node(redis, lease)) {
            leaveWhileDown(room, nodeA.port(), nodeB.port(), () -> {
                down.accept(redis);
                await().atMost(Duration.ofSeconds(20)).until(() -> !nodeA.node().hub().brokerReady());
            }, () -> {
                await().atMost(Duration.ofSeconds(20)).until(() -> nodeA.node().hub().memberCount(room) == 1);
                whileDown.accept(nodeA);
            }, () -> up.accept(redis));
        }
    }

    /**
     * The scene of the Redis-down cases, with node A on {@code portA} and B on {@code portB}: once all have joined,
     * {@code down} takes the room's Redis down; dave, and carl's session on A, leave; {@code leftWhileDown} waits
     * until A has taken that in; {@code up} brings Redis back. The watcher on B must then hear exactly one left,
     * dave's, and none for carl (still on B) or erin (still on A).
     */
    private static void leaveWhileDown(String room, int portA, int portB, Runnable down, Runnable leftWhileDown,
                                       Runnable up) {
        try (JsonWs watcher = JsonWs.connect(portB, "watcher");
             JsonWs erin = JsonWs.connect(portA, "erin");
             JsonWs carlThere = JsonWs.connect(portB, "carl")) {
            watcher.join(room);
            erin.join(room);
            carlThere.join(room);
            JsonWs dave = JsonWs.connect(portA, "dave");
            JsonWs carlHere = JsonWs.connect(portA, "carl");
            dave.join(room);
            carlHere.join(room);
            presenceFramesUntil(watcher, "joined:erin", "joined:carl", "joined:dave");

            down.run();
            dave.close();
            carlHere.close();
            leftWhileDown.run();
            up.run();

            assertThat(presenceFramesUntilLeftOf(watcher, "dave")).containsExactly("left:dave");
            awaitPresence(watcher, room, List.of("carl", "erin", "watcher"));
            watcher.send("type", "publish", "ref", "marker", "room", room, "text", "marker");
            assertThat(presenceFramesUntilMessage(watcher, "marker")).as("no second left, none for carl or erin").isEmpty();
        }
    }

    /** Presence changes a node could not run in Redis (failed or timed out), from its metrics' {@code scrape}. */
    private static double announceFailures(String scrape) {
        Matcher count = Pattern.compile("roomcast_broker_errors_total\\{operation=\"announce\",?} ([0-9.]+)")
                .matcher(scrape);
        return count.find() ? Double.parseDouble(count.group(1)) : 0;
    }

    private static TestServer survivor(RedisServer redis) {
        return node(redis, Duration.ofSeconds(3));
    }

    private static TestServer node(RedisServer redis, Duration presenceLease) {
        return TestServer.start(settings -> TestServer.withoutRateLimit(settings).broker(redis.uri())
                .presenceLease(presenceLease));
    }

    private static void awaitPresence(JsonWs client, String room, List<String> users) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            client.send("type", "presence", "ref", "who", "room", room);
            while (true) {
                JsonNode frame = client.next();
                if ("presence".equals(frame.path("type").asText())) {
                    return frame.path("users").findValuesAsText("user").equals(users);
                }
            }
        });
    }

    /** The joined/left frames (as "left:user") up to and including the left of {@code user}. */
    private static List<String> presenceFramesUntilLeftOf(JsonWs client, String user) {
        return presenceFramesUntil(client, "left:" + user);
    }

    /** The joined/left frames (as "left:user") until every one of {@code expected} was among them. */
    private static List<String> presenceFramesUntil(JsonWs client, String... expected) {
        List<String> seen = new ArrayList<>();
        while (!seen.containsAll(List.of(expected))) {
            JsonNode frame = client.next();
            String type = frame.path("type").asText();
            if (type.equals("joined") || type.equals("left")) {
                seen.add(type + ":" + frame.path("user").asText());
            }
        }
        return seen;
    }

    private static List<String> presenceFramesUntilMessage(JsonWs client, String text) {
        List<String> seen = new ArrayList<>();
        while (true) {
            JsonNode frame = client.next();
            String type = frame.path("type").asText();
            if (type.equals("joined") || type.equals("left")) {
                seen.add(type + ":" + frame.path("user").asText());
            }
            if (type.equals("message") && text.equals(frame.path("text").asText())) {
                return seen;
            }
        }
    }
}
