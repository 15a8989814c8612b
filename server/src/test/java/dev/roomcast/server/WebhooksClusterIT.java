package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.testing.BackendStub;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.RedisServer;
import dev.roomcast.testing.RoomcastProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lifecycle webhooks of two nodes, separate processes, on a redis-server of the test's own, sending to a real
 * receiver: a user or room on both is online or occupied once; node A killed with SIGKILL leaves exactly one
 * {@code user.offline} per user and one {@code room.vacated} per room that only A held, sent by node B once A's lease
 * ran out, and none for a user or room still on B; a reconnect from A to B within the grace sends nothing; a drained
 * node's users that reconnect to B send nothing, one that does not goes offline once after A's lease.
 */
@Tag("redis")
@Timeout(240)
class WebhooksClusterIT {

    private static final Duration LEASE = Duration.ofSeconds(3);
    /** Long enough for a test client to reconnect to the other node within it on a loaded machine. */
    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final AtomicInteger PATHS = new AtomicInteger();
    private static BackendStub receiver;

    @BeforeAll
    static void start() {
        receiver = BackendStub.start();
    }

    @AfterAll
    static void stop() {
        receiver.close();
    }

    @Test
    void aKilledNodesUsersAndRoomsDepartOnceAfterItsLeaseUnlessStillOnTheSurvivor() throws IOException {
        String path = path();
        try (RedisServer redis = RedisServer.start(); RoomcastProcess a = node(redis, path); RoomcastProcess b = node(redis, path)) {
            int portA = a.awaitServing(Duration.ofSeconds(60));
            int portB = b.awaitServing(Duration.ofSeconds(60));
            JsonWs annOnA = JsonWs.connect(portA, "ann");
            JsonWs bobOnA = JsonWs.connect(portA, "bob");
            try (JsonWs bobOnB = JsonWs.connect(portB, "bob")) {
                annOnA.join("only-a");
                bobOnA.join("both");
                bobOnB.join("both");
                await().atMost(Duration.ofSeconds(20)).until(() -> types(path, "user", "ann").size() == 1
                        && types(path, "user", "bob").size() == 1 && types(path, "room", "only-a").size() == 1
                        && types(path, "room", "both").size() == 1);

                long killed = System.nanoTime();
                new ProcessBuilder("kill", "-KILL", Long.toString(a.pid())).start();
                await().atMost(Duration.ofSeconds(20)).until(() -> !a.isAlive());
                await().atMost(Duration.ofSeconds(30)).until(() -> types(path, "user", "ann").size() == 2
                        && types(path, "room", "only-a").size() == 2);
                // Nothing more comes: B's renewals (every second) have reaped A's entries by now, once.
                await().during(LEASE).atMost(LEASE.multipliedBy(3)).until(() ->
                        types(path, "user", "ann").equals(List.of("user.online", "user.offline"))
                                && types(path, "room", "only-a").equals(List.of("room.occupied", "room.vacated"))
                                && types(path, "user", "bob").equals(List.of("user.online"))
                                && types(path, "room", "both").equals(List.of("room.occupied")));
                // A renewed its lease every third of it until the kill, so it ran out at least two thirds later.
                for (BackendStub.Request departure : List.of(last(path, "user", "ann"), last(path, "room", "only-a"))) {
                    assertThat(departure.receivedNanos() - killed).isGreaterThanOrEqualTo(LEASE.multipliedBy(2).dividedBy(3).toNanos());
                }
            }
            // bob's last session, on B, goes: B sends his offline and the room's vacated after the grace, once.
            await().atMost(Duration.ofSeconds(20)).until(() -> types(path, "user", "bob").size() == 2
                    && types(path, "room", "both").size() == 2);
            assertThat(types(path, "user", "bob")).containsExactly("user.online", "user.offline");
            assertThat(types(path, "room", "both")).containsExactly("room.occupied", "room.vacated");
            assertThat(events(path)).extracting(e -> e.body().get("id").asText()).doesNotHaveDuplicates();
            annOnA.close();
            bobOnA.close();
        }
    }

    @Test
    void aReconnectFromOneNodeToTheOtherWithinTheGraceSendsNothing() {
        String path = path();
        try (RedisServer redis = RedisServer.start(); RoomcastProcess a = node(redis, path); RoomcastProcess b = node(redis, path)) {
            int portA = a.awaitServing(Duration.ofSeconds(60));
            int portB = b.awaitServing(Duration.ofSeconds(60));
            try (JsonWs onA = JsonWs.connect(portA, "cat")) {
                onA.join("move");
                await().atMost(Duration.ofSeconds(20)).until(() -> types(path, "user", "cat").size() == 1
                        && types(path, "room", "move").size() == 1);
            }
            try (JsonWs onB = JsonWs.connect(portB, "cat")) {
                onB.join("move");
                await().during(GRACE.multipliedBy(3)).atMost(GRACE.multipliedBy(6)).until(() ->
                        types(path, "user", "cat").equals(List.of("user.online"))
                                && types(path, "room", "move").equals(List.of("room.occupied")));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> types(path, "user", "cat").size() == 2);
            assertThat(types(path, "user", "cat")).containsExactly("user.online", "user.offline");
        }
    }

    @Test
    void aDrainedNodesUsersWhoReconnectElsewhereSendNothingAndOneWhoDoesNotGoesOfflineOnce() {
        String path = path();
        try (RedisServer redis = RedisServer.start(); RoomcastProcess a = node(redis, path); RoomcastProcess b = node(redis, path)) {
            int portA = a.awaitServing(Duration.ofSeconds(60));
            int portB = b.awaitServing(Duration.ofSeconds(60));
            JsonWs danOnA = JsonWs.connect(portA, "dan");
            JsonWs eveOnA = JsonWs.connect(portA, "eve");
            danOnA.join("stays");
            eveOnA.join("goes");
            await().atMost(Duration.ofSeconds(20)).until(() -> types(path, "user", "dan").size() == 1
                    && types(path, "user", "eve").size() == 1 && types(path, "room", "stays").size() == 1
                    && types(path, "room", "goes").size() == 1);

            a.sigterm();
            assertThat(danOnA.raw().awaitClose().code()).isEqualTo(1001);
            try (JsonWs danOnB = JsonWs.connect(portB, "dan")) {
                danOnB.join("stays");
                assertThat(a.awaitExit(Duration.ofSeconds(30))).isZero();
                // eve never comes back: once A's lease has run out, B sends her offline and her room's vacated, once.
                await().atMost(Duration.ofSeconds(30)).until(() -> types(path, "user", "eve").size() == 2
                        && types(path, "room", "goes").size() == 2);
                await().during(LEASE).atMost(LEASE.multipliedBy(3)).until(() ->
                        types(path, "user", "eve").equals(List.of("user.online", "user.offline"))
                                && types(path, "room", "goes").equals(List.of("room.occupied", "room.vacated"))
                                && types(path, "user", "dan").equals(List.of("user.online"))
                                && types(path, "room", "stays").equals(List.of("room.occupied")));
            }
            eveOnA.close();
        }
    }

    /** A path of the receiver of its own, answered 200. */
    private static String path() {
        String path = "/cluster-" + PATHS.incrementAndGet();
        receiver.on(path, body -> BackendStub.Answer.json("{}"));
        return path;
    }

    private static RoomcastProcess node(RedisServer redis, String path) {
        return RoomcastProcess.startJar(Map.of(), "--port", "0", "--broker", redis.uri(),
                "--presence-lease", LEASE.toSeconds() + "s", "--presence-grace", GRACE.toMillis() + "ms",
                "--webhook-url", receiver.url(path), "--webhook-secret", "cluster-secret");
    }

    private static List<BackendStub.Request> events(String path) {
        return receiver.requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    private static List<String> types(String path, String subjectField, String subject) {
        return events(path).stream().filter(e -> subject.equals(e.body().path(subjectField).asText()))
                .map(e -> e.body().get("type").asText()).toList();
    }

    private static BackendStub.Request last(String path, String subjectField, String subject) {
        List<BackendStub.Request> about = events(path).stream().filter(e -> subject.equals(e.body().path(subjectField).asText())).toList();
        return about.get(about.size() - 1);
    }
}
