package dev.roomcast.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.broker.Backend;
import dev.roomcast.broker.DirectRouterContract;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.room.DirectMessage;
import dev.roomcast.testing.RedisTestSupport;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * RedisDirectRouter against a real Redis: the {@link DirectRouterContract}, plus routing between nodes:
 * only the nodes holding the recipient receive a direct message.
 */
@Tag("redis")
class RedisDirectRouterIT extends DirectRouterContract {

    private static final Duration HOUR = Duration.ofHours(1);
    private static RedisTestSupport redis;

    @BeforeAll
    static void connect() {
        redis = RedisTestSupport.require();
    }

    @AfterAll
    static void cleanUp() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected Backend newBackend() {
        return TestBackends.connect(redis, 100, HOUR, HOUR, RoomcastConfig.defaults().cluster().presenceLease());
    }

    @Test
    void aDirectMessageReachesOnlyTheNodesHoldingItsUser() {
        Backend sender = started();
        Backend holder = started();
        Backend bystander = started();
        String user = uniqueName();
        holder.directs().addUser(user).toCompletableFuture().join();
        bystander.directs().addUser("someone-else-" + user).toCompletableFuture().join();
        DirectMessage message = new DirectMessage("ann", user, "across nodes", System.currentTimeMillis());

        assertThat(direct(sender, message)).isTrue();
        await().atMost(DELIVERY).until(() -> !directs.isEmpty());
        assertThat(directs).singleElement().isEqualTo(new DirectDelivery(holder, message));
    }
}
