package dev.roomcast.broker.redis;

import dev.roomcast.broker.Backend;
import dev.roomcast.testing.RedisTestSupport;
import java.time.Duration;

/** The Redis backend the Redis contract suites test: on the shared test Redis, under the run's own prefix. Stateless. */
final class TestBackends {

    private TestBackends() {
    }

    static Backend connect(RedisTestSupport redis, int historySize, Duration maxAge, Duration roomTtl, Duration presenceLease) {
        return RedisBackend.connect(new RedisBackend.Settings(RedisTestSupport.URI, redis.prefix(), historySize, maxAge,
                roomTtl, presenceLease), new RedisObserver() { });
    }
}
