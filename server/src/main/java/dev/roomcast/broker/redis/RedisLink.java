package dev.roomcast.broker.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lettuce client and the two connections that {@link RedisBroker}, {@link RedisPresenceStore} and
 * {@link RedisDirectRouter} share: one for commands and scripts, one for pub/sub. Also the one
 * health thread: it pings both connections every second for {@link #isReady} and runs the
 * checks and heartbeats the three register.
 *
 * <p>Outages: Lettuce reconnects by itself (its delay capped at {@link #MAX_RECONNECT_DELAY}) and
 * re-subscribes; commands sent while disconnected are rejected at once instead of queued without bound.
 *
 * <p>Threading: thread-safe. Command replies and pub/sub callbacks run on Lettuce I/O threads; the
 * registered checks run on the health thread, one at a time.
 */
final class RedisLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    static final Duration HEALTH_INTERVAL = Duration.ofSeconds(1);
    /** Lettuce's own backoff grows to 30 s; a node should be back within about a second of Redis. */
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

    final RedisKeys keys;
    final RedisObserver observer;
    final RedisAsyncCommands<String, String> redis;
    final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final ScheduledExecutorService health;
    /** What runs on every health check besides the pings: the subscriptions' retries. */
    private final List<Runnable> checks = new CopyOnWriteArrayList<>();
    private volatile boolean answering = true;

    private RedisLink(RedisKeys keys, RedisObserver observer, RedisClient client,
                      StatefulRedisConnection<String, String> connection,
                      StatefulRedisPubSubConnection<String, String> pubSub) {
        this.keys = keys;
        this.observer = observer;
        this.client = client;
        this.connection = connection;
        this.redis = connection.async();
        this.pubSub = pubSub;
        // Added after the first connect, so only reconnects are heard.
        RedisConnectionStateListener reconnects = new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                observer.reconnected();
            }
        };
        connection.addListener(reconnects);
        pubSub.addListener(reconnects);
        this.health = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "roomcast-redis-health");
            thread.setDaemon(true);
            return thread;
        });
        every(HEALTH_INTERVAL, this::checkHealth);
    }

    /**
     * Connects to Redis at {@code uri}, naming keys with {@code prefix}; blocks, so call it at startup.
     * Throws {@link IllegalStateException} with a one-line reason if Redis cannot be reached.
     */
    static RedisLink connect(String uri, String prefix, RedisObserver observer) {
        RedisURI redisUri = RedisURI.create(uri);
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .commandLatencyRecorder(new CommandLatencyRecorder() {
                    @Override
                    public void recordCommandLatency(SocketAddress local, SocketAddress remote, ProtocolKeyword command,
                                                     long firstResponseNanos, long completionNanos) {
                        observer.commandCompleted(command.toString(), completionNanos);
                    }
                })
                .build();
        RedisClient client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                // Fail a publish at once while Redis is unreachable instead of queueing it without bound.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        StatefulRedisConnection<String, String> connection = null;
        try {
            connection = client.connect(StringCodec.UTF8);
            return new RedisLink(new RedisKeys(prefix, redisUri.getDatabase()), observer, client, connection,
                    client.connectPubSub(StringCodec.UTF8));
        } catch (RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            shutDown(client);
            throw new IllegalStateException("cannot use Redis at " + redisUri.getHost() + ":" + redisUri.getPort() + ": "
                    + rootMessage(e), e);
        }
    }

    /** Reads {@code redis/<name>} and loads it into Redis; blocks, so call it at startup. */
    LuaScript script(String name) {
        return LuaScript.load(name, redis);
    }

    /** Runs {@code check} on the health thread with every health check, once a second. */
    void onHealthCheck(Runnable check) {
        checks.add(check);
    }

    /** Runs {@code task} on the health thread every {@code interval}, first after one interval, until cancelled. */
    ScheduledFuture<?> every(Duration interval, Runnable task) {
        long millis = Math.max(1, interval.toMillis());
        return health.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on the health thread now. */
    void execute(Runnable task) {
        health.execute(task);
    }

    /** Runs {@code task} on the health thread after one health interval; nothing once closed. */
    void retryLater(Runnable task) {
        try {
            health.schedule(task, HEALTH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // Closing: nobody is left to retry for.
        }
    }

    /** Whether the last pings (one per connection, every second) were answered; never blocks. */
    boolean isReady() {
        return answering && connection.isOpen() && pubSub.isOpen();
    }

    /** Stops the health thread, then closes both connections and the client's resources. */
    @Override
    public void close() {
        health.shutdownNow();
        pubSub.close();
        connection.close();
        shutDown(client);
    }

    /**
     * On the health thread: refreshes {@link #isReady} and runs the registered checks. Both connections
     * are pinged; on the pub/sub one the answer comes after the re-subscriptions Lettuce sends when it
     * reconnects, so "ready" also means this node receives its rooms' events again.
     */
    private void checkHealth() {
        CompletableFuture<String> commands = redis.ping().toCompletableFuture();
        CompletableFuture<String> events = pubSub.async().ping().toCompletableFuture();
        CompletableFuture.allOf(commands, events).orTimeout(HEALTH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((pongs, failure) -> answering = failure == null);
        checks.forEach(Runnable::run);
    }

    /** For commands whose failure the caller can only note and count: transient events, presence bookkeeping. */
    static void logFailure(CompletionStage<?> command, String what, String name, Runnable count) {
        command.exceptionally(failure -> {
            count.run();
            log.debug("{} of {} failed: {}", what, name, failure.toString());
            return null;
        });
    }

    static String millis(Duration duration) {
        return Long.toString(duration.toMillis());
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    private static void shutDown(RedisClient client) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        client.getResources().shutdown(0, 2, TimeUnit.SECONDS);
    }
}
