package dev.roomcast.broker.redis;

import dev.roomcast.broker.Backend;
import dev.roomcast.broker.LocalBroker;
import dev.roomcast.broker.RoomHistory;
import java.time.Duration;

/**
 * Builds the Redis {@link Backend}: {@link RedisBroker}, {@link RedisPresenceStore},
 * {@link RedisDirectRouter} and {@link RedisLifecycleLedger} on one shared {@link RedisLink} (one Lettuce client, one command and one
 * pub/sub connection, one health thread).
 *
 * <p>Threading: thread-safe (no state).
 */
public final class RedisBackend {

    /**
     * Where Redis is and how rooms are kept there.
     *
     * @param uri               {@code redis://host:port[/db]} (or {@code rediss://} for TLS), or
     *                          {@code redis-sentinel://host:port[,host:port…]/<master>} for a master that Sentinel names,
     *                          or {@code redis-cluster://host:port[,host:port…]} for a Redis Cluster
     * @param prefix            put in front of every key and channel, so several deployments can share a Redis
     * @param historyPolicy     what each room keeps
     * @param roomTtl           how long a room's keys outlive its last publish; at least the longest age any
     *                          room's history keeps messages for
     * @param presenceLease     how long a node's presence entries outlive its last heartbeat (sent every third of it)
     * @param idempotencyWindow how long a publish's idempotency key is remembered
     */
    public record Settings(String uri, String prefix, RoomHistory.HistoryPolicy historyPolicy, Duration roomTtl,
                           Duration presenceLease, Duration idempotencyWindow) {

        /** Every room keeps {@code historySize} messages no older than {@code historyMaxAge}; keys outlive them by {@code roomTtl}. */
        public Settings(String uri, String prefix, int historySize, Duration historyMaxAge, Duration roomTtl,
                        Duration presenceLease) {
            this(uri, prefix, RoomHistory.uniform(historySize, historyMaxAge), roomTtl, presenceLease,
                    LocalBroker.DEFAULT_IDEMPOTENCY_WINDOW);
        }
    }

    private RedisBackend() {
    }

    /**
     * Connects to Redis and loads the scripts; blocks, so call it at startup. Throws
     * {@link IllegalStateException} with a one-line reason if Redis cannot be reached.
     * {@code observer} hears about commands, failures, reconnects and catch-ups from then on.
     */
    public static Backend connect(Settings settings, RedisObserver observer) {
        RedisLink link = RedisLink.connect(settings.uri(), settings.prefix(), observer);
        try {
            RedisBroker broker = new RedisBroker(settings, link);
            return new Backend(broker, new RedisPresenceStore(settings, link, broker),
                    new RedisDirectRouter(link), new RedisLifecycleLedger(settings, link));
        } catch (RuntimeException e) {
            link.close();
            throw new IllegalStateException("cannot use Redis at " + RedisLink.describe(settings.uri())
                    + ": " + RedisLink.rootMessage(e), e);
        }
    }
}
