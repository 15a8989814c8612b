package dev.roomcast.broker.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The pub/sub channels this node wants, by name (a room, a user), each with its latest SUBSCRIBE: one
 * SUBSCRIBE per name however often it is asked for, and one that failed (Redis unreachable, or no answer
 * as the connection dropped) sent again with every health check until it succeeds. Rooms and users each
 * have one.
 *
 * <p>Threading: thread-safe (a {@link ConcurrentHashMap} of futures, replaced atomically).
 */
final class ChannelSubscriptions {

    private final RedisLink link;
    private final Function<String, String> channelOf;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> wanted = new ConcurrentHashMap<>();

    /** Subscribes to {@code channelOf(name)} for each name asked for, on {@code link}'s pub/sub connection. */
    ChannelSubscriptions(RedisLink link, Function<String, String> channelOf) {
        this.link = link;
        this.channelOf = channelOf;
        link.onHealthCheck(this::retryFailed);
    }

    /**
     * Subscribes to the name's channel unless it is already wanted; {@code beforeFirst} runs only for the
     * call that adds the name, with the stage it returns, before its SUBSCRIBE is sent. Completes once
     * the subscription is in effect.
     */
    CompletionStage<Void> subscribe(String name, Consumer<CompletionStage<Void>> beforeFirst) {
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        CompletableFuture<Void> existing = wanted.putIfAbsent(name, subscribed);
        if (existing != null) {
            return existing;
        }
        beforeFirst.accept(subscribed);
        send(name, subscribed);
        return subscribed;
    }

    CompletionStage<Void> unsubscribe(String name) {
        wanted.remove(name);
        return link.pubSub.async().unsubscribe(channelOf.apply(name)).thenApply(done -> null);
    }

    /** Runs {@code action} after the name's SUBSCRIBE, if one is in flight, whether it succeeds or not. */
    <T> CompletionStage<T> afterSubscribed(String name, Supplier<CompletionStage<T>> action) {
        CompletableFuture<Void> pending = wanted.get(name);
        if (pending == null || pending.isDone()) {
            return action.get();
        }
        return pending.handle((done, failure) -> null).thenCompose(ignored -> action.get());
    }

    /**
     * A SUBSCRIBE sent as the pub/sub connection drops may never be answered (seen in the chaos run,
     * #10): it fails after the command timeout, and the health check sends it again.
     */
    private void send(String name, CompletableFuture<Void> subscribed) {
        link.pubSub.async().subscribe(channelOf.apply(name)).toCompletableFuture()
                .orTimeout(RedisLink.COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((done, failure) -> {
                    if (failure == null) {
                        subscribed.complete(null);
                    } else {
                        subscribed.completeExceptionally(failure);
                    }
                });
    }

    /** On the health thread: sends every failed SUBSCRIBE again. */
    private void retryFailed() {
        wanted.forEach((name, subscription) -> {
            if (subscription.isCompletedExceptionally()) {
                CompletableFuture<Void> retry = new CompletableFuture<>();
                if (wanted.replace(name, subscription, retry)) {
                    send(name, retry);
                }
            }
        });
    }
}
