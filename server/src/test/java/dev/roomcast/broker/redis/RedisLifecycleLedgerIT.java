package dev.roomcast.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.broker.Backend;
import dev.roomcast.testing.RedisTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RedisLifecycleLedger against a real Redis, three nodes on one prefix: a hold is news only for the first node to hold a
 * subject and a release only for the last; a node that stops renewing its lease leaves what only it held to exactly
 * one of the two nodes that renew theirs, once, after the lease, and nothing another node still holds.
 */
@Tag("redis")
@Timeout(60)
class RedisLifecycleLedgerIT {

    private static final Duration HOUR = Duration.ofHours(1);
    /** The shortest --presence-lease allows: a shorter one could let a live node's lease run out under load. */
    private static final Duration LEASE = Duration.ofSeconds(3);

    private RedisTestSupport redis;
    private final List<Backend> nodes = new ArrayList<>();
    /** Orphans as "node index: subject", from every node. */
    private final Queue<String> orphans = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void connect() {
        redis = RedisTestSupport.require();
    }

    @AfterEach
    void close() {
        nodes.forEach(Backend::close);
        redis.close();
    }

    private Backend node() {
        Backend node = TestBackends.connect(redis, 10, HOUR, HOUR, LEASE);
        int index = nodes.size();
        nodes.add(node);
        node.ledger().onOrphans(subjects -> subjects.forEach(subject -> orphans.add(index + ":" + subject)));
        return node;
    }

    private static boolean hold(Backend node, String subject) {
        return node.ledger().hold(subject).toCompletableFuture().join();
    }

    private static boolean release(Backend node, String subject) {
        return node.ledger().release(subject).toCompletableFuture().join();
    }

    @Test
    void holdingIsNewsForTheFirstNodeAndReleasingForTheLast() {
        Backend a = node();
        Backend b = node();
        assertThat(hold(a, "user:ann")).isTrue();
        assertThat(hold(b, "user:ann")).isFalse();
        assertThat(release(a, "user:ann")).isFalse();
        assertThat(release(b, "user:ann")).isTrue();
        assertThat(hold(b, "user:ann")).isTrue();
        assertThat(hold(a, "room:den")).isTrue();
        assertThat(orphans).isEmpty();
    }

    @Test
    void whatOnlyAStoppedNodeHeldReachesExactlyOneLiveNodeOnceAfterItsLease() {
        Backend dying = node();
        Backend b = node();
        Backend c = node();
        assertThat(hold(dying, "user:only-there")).isTrue();
        assertThat(hold(dying, "room:shared")).isTrue();
        assertThat(hold(b, "room:shared")).isFalse();
        assertThat(hold(dying, "user:moved")).isTrue();

        long stopped = System.nanoTime();
        dying.ledger().close();
        // Within the lease the user moves to c: not news, since the stopped node still counts as holding it.
        assertThat(hold(c, "user:moved")).isFalse();
        await().atMost(Duration.ofSeconds(20)).until(() -> !orphans.isEmpty());
        assertThat(System.nanoTime() - stopped).isGreaterThanOrEqualTo(LEASE.multipliedBy(2).dividedBy(3).toNanos());
        // b and c both renew every third of a lease; after a few more leases nothing else has come.
        await().during(LEASE.multipliedBy(2)).atMost(LEASE.multipliedBy(4)).until(() -> orphans.size() == 1);
        assertThat(orphans).singleElement().satisfies(orphan -> assertThat(orphan).matches("[12]:user:only-there"));
        assertThat(release(b, "room:shared")).isTrue();
        // The stopped node's entries went with the claim: only the two live nodes' hashes are left.
        assertThat(redis.redis().keys(redis.prefix() + "{lifecycle}:node:*")).hasSize(2);
    }
}
