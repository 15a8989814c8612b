package dev.roomcast.broker.redis;

import dev.roomcast.broker.LifecycleLedger;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LifecycleLedger} of the nodes sharing a Redis: one hash per node of the subjects it holds and one sorted set
 * of the nodes' leases, changed only by lifecycle_ledger.lua, which answers each hold and release from every live node's
 * hash and, in the same step, reaps the nodes whose lease ran out, so what only a crashed node held reaches exactly
 * the one node whose script reaped it. The lease is {@code --presence-lease}, renewed like the presence entries'
 * every third of it on the link's health thread; a renewal that finds this node's hash lost (Redis restarted empty,
 * or was flushed), or that follows a change Redis did not answer, rewrites the hash whole from what this node holds.
 * Nothing is written to Redis before {@link #onOrphans}: a node without webhooks takes no part.
 *
 * <p>Threading: thread-safe. Scripts are sent under this object's lock, so one node's run in the order of its calls
 * and a rewrite holds exactly the subjects of the calls sent before it; replies complete on Lettuce I/O threads.
 */
public final class RedisLifecycleLedger implements LifecycleLedger {

    private static final Logger log = LoggerFactory.getLogger(RedisLifecycleLedger.class);
    /** How long a crashed node's entries wait for a live node to reap them (all nodes may be down a while). */
    static final Duration KEEP = Duration.ofDays(1);

    private final RedisLink link;
    private final LuaScript script;
    private final Duration lease;
    /** Names this node's entries; random, so a restarted node never takes over a crashed one's. */
    private final String nodeId = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36);
    private final String[] keys;
    /** What this node holds, as sent to Redis. Guarded by this. */
    private final Set<String> held = new HashSet<>();
    /** Whether the next renewal rewrites this node's hash whole. Guarded by this. */
    private boolean rewrite = true;
    private volatile Consumer<List<String>> orphans;
    private volatile ScheduledFuture<?> renewals;

    RedisLifecycleLedger(RedisBackend.Settings settings, RedisLink link) {
        this.link = link;
        this.lease = settings.presenceLease();
        this.script = link.script("lifecycle_ledger.lua");
        this.keys = link.keys.ledgerKeys(nodeId);
    }

    /** Writes this node's lease and (empty) hash now, then renews them every third of the lease. */
    @Override
    public void onOrphans(Consumer<List<String>> orphans) {
        this.orphans = orphans;
        link.execute(this::renew);
        renewals = link.every(lease.dividedBy(3), this::renew);
    }

    @Override
    public synchronized CompletionStage<Boolean> hold(String subject) {
        held.add(subject);
        return run("hold", subject);
    }

    @Override
    public synchronized CompletionStage<Boolean> release(String subject) {
        held.remove(subject);
        return run("release", subject);
    }

    /** Leaves this node's entries in Redis: a live node reaps them once the lease runs out (docs/operations.md). */
    @Override
    public void close() {
        ScheduledFuture<?> running = renewals;
        if (running != null) {
            running.cancel(false);
        }
    }

    /** On the health thread: renews the lease, and rewrites the hash when it may be wrong. */
    private synchronized void renew() {
        CompletionStage<Boolean> whole;
        if (rewrite) {
            rewrite = false;
            List<String> args = new ArrayList<>(1 + held.size());
            args.add("rewrite");
            args.addAll(held);
            whole = run(args.toArray(String[]::new));
        } else {
            whole = run("beat");
        }
        whole.thenAccept(intact -> {
            if (!intact) {
                log.info("this node's webhook bookkeeping is gone from Redis (restarted or flushed); rewriting it");
                rewriteNext();
            }
        });
    }

    private synchronized void rewriteNext() {
        rewrite = true;
    }

    /** Runs lifecycle_ledger.lua; hands its orphans on, then completes with its answer (true when Redis did not answer). */
    private CompletionStage<Boolean> run(String... operation) {
        String[] args = new String[4 + operation.length];
        args[0] = nodeId;
        args[1] = link.keys.ledgerOfNode();
        args[2] = RedisLink.millis(lease);
        args[3] = RedisLink.millis(KEEP);
        System.arraycopy(operation, 0, args, 4, operation.length);
        return script.run(link.redis, keys, args).handle((reply, failure) -> {
            if (failure != null) {
                link.observer.announceFailed();
                rewriteNext();
                log.debug("webhook bookkeeping {} failed; the next renewal rewrites it: {}", operation[0], failure.toString());
                return true;
            }
            if (reply.size() > 1) {
                orphans.accept(reply.subList(1, reply.size()).stream().map(String.class::cast).toList());
            }
            return (Long) reply.get(0) == 1L;
        });
    }
}
