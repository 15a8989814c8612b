package dev.roomcast.server;

import dev.roomcast.testing.RedisTestSupport;
import dev.roomcast.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The message model across two nodes sharing Redis under a key prefix of this run's own: publishes on
 * one node, members on the other, idempotency keys retried on both.
 */
@Tag("redis")
class MessageModelRedisIT extends MessageModelContract {

    private static RedisTestSupport redis;
    private static TestServer nodeA;
    private static TestServer nodeB;

    @BeforeAll
    static void start() {
        redis = RedisTestSupport.require();
        nodeA = TestServer.start(settings -> settings(settings).broker(RedisTestSupport.URI).redisPrefix(redis.prefix()));
        nodeB = TestServer.start(settings -> settings(settings).broker(RedisTestSupport.URI).redisPrefix(redis.prefix()));
    }

    @AfterAll
    static void stop() {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    TestServer publisherNode() {
        return nodeA;
    }

    @Override
    TestServer memberNode() {
        return nodeB;
    }
}
