package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.testing.RedisTestSupport;
import dev.roomcast.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RoomcastClient across a server restart on the same port: with the in-memory broker the history is
 * gone and the client says {@code recovered:false}; with the Redis broker it receives exactly the
 * 100 messages it missed, in order, then live ones.
 */
@Timeout(120)
class ReconnectIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static RoomcastClient connect(TestServer server, String name, Recorder recorder) {
        return RoomcastClient.builder(server.ws("/v1/ws")).name(name).listener(recorder)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(300)).connect();
    }

    private static TestServer restartOnSamePort(TestServer stopped, UnaryOperator<RoomcastConfig.Builder> settings) {
        int port = stopped.port();
        stopped.close();
        return TestServer.start(b -> settings.apply(b).port(port));
    }

    @Test
    void afterARestartOfTheInMemoryNodeTheClientRejoinsAndReportsRecoveredFalse() {
        TestServer server = TestServer.start();
        Recorder ann = new Recorder();
        try (RoomcastClient client = connect(server, "ann", ann)) {
            client.join("restart-memory", ann).join();
            client.publish("restart-memory", "before").join();
            await().atMost(WAIT).until(() -> ann.messages.size() == 1);

            server = restartOnSamePort(server, b -> b);
            await().atMost(WAIT).until(() -> ann.recoveries.size() == 1);
            assertThat(ann.recoveries.get(0).recovered()).isFalse();
            assertThat(ann.connections).extracting(ConnectionEvent::state).contains(ConnectionState.RECONNECTING);
            assertThat(ann.opens()).isEqualTo(2);

            // Carries on from the new epoch's position: live messages arrive, the old one is not repeated.
            client.publish("restart-memory", "after").join();
            await().atMost(WAIT).until(() -> ann.messages.size() == 2);
            assertThat(ann.texts()).containsExactly("before", "after");
        } finally {
            server.close();
        }
    }

    @Test
    @Tag("redis")
    void afterARestartOnRedisTheClientReceivesExactlyTheHundredItMissedInOrderThenLiveOnes() {
        try (RedisTestSupport redis = RedisTestSupport.require()) {
            UnaryOperator<RoomcastConfig.Builder> onRedis = b -> TestServer.withoutRateLimit(b.broker(RedisTestSupport.URI).redisPrefix(redis.prefix()));
            TestServer nodeA = TestServer.start(onRedis);
            Recorder ann = new Recorder();
            try (TestServer nodeB = TestServer.start(onRedis); RoomcastClient client = connect(nodeA, "ann", ann)) {
                client.join("restart-redis", ann).join();
                nodeB.node().publish("restart-redis", "host", "m0").toCompletableFuture().join();
                await().atMost(WAIT).until(() -> ann.messages.size() == 1);

                int port = nodeA.port();
                nodeA.close();
                await().atMost(WAIT).until(() -> client.state() != ConnectionState.OPEN);
                for (int i = 1; i <= 100; i++) {
                    nodeB.node().publish("restart-redis", "host", "m" + i).toCompletableFuture().join();
                }
                nodeA = TestServer.start(b -> onRedis.apply(b).port(port));

                await().atMost(WAIT).until(() -> ann.recoveries.size() == 1);
                assertThat(ann.recoveries.get(0)).satisfies(r -> {
                    assertThat(r.recovered()).isTrue();
                    assertThat(r.missed()).isEqualTo(100);
                });
                for (int i = 101; i <= 105; i++) {
                    nodeB.node().publish("restart-redis", "host", "m" + i).toCompletableFuture().join();
                }
                await().atMost(WAIT).until(() -> ann.messages.size() >= 106);
                List<String> expected = IntStream.rangeClosed(0, 105).mapToObj(i -> "m" + i).toList();
                assertThat(ann.texts()).containsExactlyElementsOf(expected);
                assertThat(ann.messages).extracting(m -> m.position().offset())
                        .containsExactlyElementsOf(IntStream.rangeClosed(1, 106).mapToObj(i -> (long) i).toList());
            } finally {
                nodeA.close();
                redis.deleteKeys();
            }
        }
    }
}
