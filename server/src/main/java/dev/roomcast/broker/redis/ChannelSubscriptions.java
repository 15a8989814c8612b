package dev.roomcast.broker.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pub/sub channels this node wants, by name (a room, a user), each with its latest subscription: one
 * per name however often it is asked for; one that failed (Redis unreachable, or no answer as the
 * connection dropped) sent again with every health check until it succeeds; and, on Redis Cluster, one
 * whose slot another master serves now (a failover, a slot migration) made again there with the next
 * health check, and ended at the old one. Rooms and users each have one.
 *
 * <p>Threading: thread-safe (a {@link ConcurrentHashMap} of futures, replaced atomically). The
 * {@code Moves} callbacks run on the health thread and on Lettuce I/O threads.
 */
final class ChannelSubscriptions {

    private static final Logger log = LoggerFactory.getLogger(ChannelSubscriptions.class);

    /** What a subscriber is told when a subscription had to be made again, so it can catch up on the meantime. */
    interface Moves {

        /** The name's subscription is about to be made on another shard: events may be missing until {@link #resubscribed}. */
        void moving(String name);

        /** The name's subscription was made again, after a move or a failed attempt, and is in effect. */
        void resubscribed(String name);
    }

    /** For subscribers that need not catch up (direct messages are not kept). */
    static final Moves NOTHING_TO_CATCH_UP = new Moves() {
        @Override
        public void moving(String name) {
        }

        @Override
        public void resubscribed(String name) {
        }
    };

    private final RedisLink link;
    private final Function<String, String> channelOf;
    private final Moves moves;
    /** Name → its latest subscription, completed with where it was made ({@link RedisLink#shardOf}). */
    private final ConcurrentHashMap<String, CompletableFuture<String>> wanted = new ConcurrentHashMap<>();
    /** Name → the newest action waiting for its subscription; the next one runs after it, so they keep their order. */
    private final ConcurrentHashMap<String, CompletableFuture<?>> waiting = new ConcurrentHashMap<>();

    /** Subscribes to {@code channelOf(name)} for each name asked for, on {@code link}, telling {@code moves} of re-subscriptions. */
    ChannelSubscriptions(RedisLink link, Function<String, String> channelOf, Moves moves) {
        this.link = link;
        this.channelOf = channelOf;
        this.moves = moves;
        link.onHealthCheck(this::retryFailedAndFollowMoves);
    }

    /**
     * Subscribes to the name's channel unless it is already wanted; {@code beforeFirst} runs only for the
     * call that adds the name, with the stage it returns, before its subscription is sent. Completes once
     * the subscription is in effect.
     */
    CompletionStage<Void> subscribe(String name, Consumer<CompletionStage<Void>> beforeFirst) {
        CompletableFuture<String> subscribed = new CompletableFuture<>();
        CompletableFuture<String> existing = wanted.putIfAbsent(name, subscribed);
        if (existing != null) {
            return existing.thenApply(shard -> null);
        }
        CompletionStage<Void> done = subscribed.thenApply(shard -> null);
        beforeFirst.accept(done);
        send(name, subscribed);
        return done;
    }

    CompletionStage<Void> unsubscribe(String name) {
        CompletableFuture<String> subscription = wanted.remove(name);
        String channel = channelOf.apply(name);
        String shard = subscription != null && subscription.isDone() && !subscription.isCompletedExceptionally()
                ? subscription.join() : link.shardOf(channel);
        return shard == null ? CompletableFuture.completedFuture(null) : link.unsubscribe(channel, shard);
    }

    /**
     * Runs {@code action} after the name's subscription, if one is in flight, whether it succeeds or not. Actions
     * that wait run one after the other in the order of the calls (from one thread), each after the previous one's
     * reply, and a call made while some still wait joins them, so a room's publishes and presence changes keep
     * their order. On Redis Cluster a subscription whose slot moved is moved first, so this node's own publishes and
     * reads never reach a new master before its subscription there (the health check would move it up to a second later).
     */
    <T> CompletionStage<T> afterSubscribed(String name, Supplier<CompletionStage<T>> action) {
        CompletableFuture<String> subscription = wanted.get(name);
        if (subscription != null) {
            followMove(name, subscription);
        }
        CompletableFuture<String> pending = wanted.get(name);
        if ((pending == null || pending.isDone()) && !waiting.containsKey(name)) {
            return action.get();
        }
        CompletableFuture<T> run;
        synchronized (waiting) {
            CompletableFuture<?> before = waiting.get(name);
            CompletableFuture<?> after = before != null ? before
                    : pending != null ? pending : CompletableFuture.completedFuture(null);
            run = after.handle((done, failure) -> null).thenCompose(ignored -> action.get());
            waiting.put(name, run);
        }
        run.whenComplete((done, failure) -> waiting.remove(name, run));
        return run;
    }

    /**
     * A subscription sent as the connection drops may never be answered (seen in the chaos run, #10): it
     * fails after the command timeout, and the health check sends it again.
     */
    private void send(String name, CompletableFuture<String> subscribed) {
        link.subscribe(channelOf.apply(name)).toCompletableFuture()
                .orTimeout(RedisLink.COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((shard, failure) -> {
                    if (failure == null) {
                        subscribed.complete(shard);
                    } else {
                        subscribed.completeExceptionally(failure);
                    }
                });
    }

    /**
     * Sends a subscription again in place of {@code previous}, running {@code before} first; tells {@link #moves}
     * once it is in effect. Returns false when the name was unsubscribed or re-subscribed meanwhile.
     */
    private boolean resend(String name, CompletableFuture<String> previous, Runnable before) {
        CompletableFuture<String> retry = new CompletableFuture<>();
        if (!wanted.replace(name, previous, retry)) {
            return false;
        }
        before.run();
        retry.thenRun(() -> moves.resubscribed(name));
        send(name, retry);
        return true;
    }

    /**
     * On the health thread: sends every failed subscription again, and moves every one whose channel's slot
     * another master serves now. The old master is told to end it as well (it may be back as a replica, which
     * also receives the shard's events); when it cannot be reached that is not retried (docs/architecture.md,
     * "Redis Cluster", says what follows).
     */
    private void retryFailedAndFollowMoves() {
        wanted.forEach((name, subscription) -> {
            if (subscription.isCompletedExceptionally()) {
                resend(name, subscription, () -> { });
            } else {
                followMove(name, subscription);
            }
        });
    }

    /** Moves a subscription in effect whose channel's slot another master serves now; nothing otherwise. */
    private void followMove(String name, CompletableFuture<String> subscription) {
        if (!subscription.isDone() || subscription.isCompletedExceptionally()) {
            return;
        }
        String channel = channelOf.apply(name);
        String was = subscription.join();
        String now = link.shardOf(channel);
        if (now != null && !now.equals(was) && resend(name, subscription, () -> {
            log.info("the slot of {} moved to another master; subscribing there", channel);
            moves.moving(name);
        })) {
            link.unsubscribe(channel, was).exceptionally(unreachable -> null);
        }
    }
}
