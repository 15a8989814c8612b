package dev.roomcast;

import dev.roomcast.broker.Backend;
import dev.roomcast.broker.GracefulPresenceStore;
import dev.roomcast.broker.LocalBroker;
import dev.roomcast.broker.PresenceStore;
import dev.roomcast.broker.RoomHistory;
import dev.roomcast.broker.redis.RedisBackend;
import dev.roomcast.cli.ServeCommand;
import dev.roomcast.config.History;
import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.hub.Hub;
import dev.roomcast.metrics.BuildInfo;
import dev.roomcast.metrics.MeteredBroker;
import dev.roomcast.metrics.MeteredDirectRouter;
import dev.roomcast.metrics.MeteredPresenceStore;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.protocol.RoomNames;
import dev.roomcast.protocol.Utf8;
import dev.roomcast.room.Position;
import dev.roomcast.server.NettyServer;
import dev.roomcast.webhooks.Webhooks;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Roomcast node: builds the broker, the hub, the metrics and the Netty server and ties their lives
 * together. {@link #start} binds; {@link #drain} and {@link #close} stop, from any thread, once.
 *
 * <p>This is also the embedding API (docs/embedding.md): a host program calls {@link #start},
 * {@link #port}, {@link #publish}, {@link #drain} and {@link #close}, the supported surface;
 * {@link #hub} and {@link #metrics} are the node's internals, for the server's own code and tests.
 *
 * <p>Threading: thread-safe, every method may be called from any thread; its parts are confined to their
 * own threads (docs/architecture.md).
 */
public final class Roomcast implements ServeCommand.RunningNode, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Roomcast.class);

    private final Backend backend;
    private final Hub hub;
    private final NettyServer server;
    private final ServerMetrics metrics;
    private final InetSocketAddress address;
    private final int maxPayloadBytes;
    /** The lifecycle webhooks, or null when --webhook-url is unset. */
    private final Webhooks webhooks;

    private Roomcast(Backend backend, Hub hub, NettyServer server, ServerMetrics metrics, InetSocketAddress address, int maxPayloadBytes,
                     Webhooks webhooks) {
        this.backend = backend;
        this.webhooks = webhooks;
        this.maxPayloadBytes = maxPayloadBytes;
        this.hub = hub;
        this.server = server;
        this.metrics = metrics;
        this.address = address;
    }

    /**
     * Starts a node and returns once it accepts connections. Throws {@link IllegalStateException}
     * with a one-line reason if the configured Redis cannot be reached.
     */
    public static Roomcast start(RoomcastConfig config) throws BindException {
        Clock clock = Clock.systemUTC();
        if (config.webhooks().enabled() && config.cluster().redisBroker()) {
            // Per node, a room or user would be vacated or offline when it only left this node (#14).
            throw new IllegalStateException("--webhook-url works with --broker memory only in this release");
        }
        ServerMetrics metrics = new ServerMetrics(config.namespaces());
        Backend backend;
        try {
            backend = metered(newBackend(config, clock, metrics), metrics, config.cluster().presenceGrace());
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
        NettyServer server = new NettyServer(config, metrics);
        Namespaces namespaces = config.namespaces();
        Hub hub = new Hub(server.loops(), backend, server.encoder(), clock, metrics::deliveryBatchFlushed,
                room -> namespaces.of(room).presence());
        Webhooks webhooks = config.webhooks().enabled() ? new Webhooks(config.webhooks(), config.cluster().presenceGrace(),
                metrics.webhookObserver()) : null;
        if (webhooks != null) {
            hub.hear(webhooks);
        }
        metrics.bindSizes(server::connectionCount, hub::roomCount);
        metrics.bindBuildInfo(BuildInfo.version());
        backend.presence().announceNode(server.nodeId(), server::connectionCount, hub::rooms);
        try {
            InetSocketAddress address = server.start(hub);
            log.info(StartupLine.of(config, address, server.transport()));
            return new Roomcast(backend, hub, server, metrics, address, config.limits().maxPayloadBytes(), webhooks);
        } catch (BindException | RuntimeException e) {
            if (webhooks != null) {
                webhooks.close();
            }
            backend.close();
            metrics.close();
            throw e;
        }
    }

    /** The backend the config names: in-process, or Redis (connects now, blocking). */
    private static Backend newBackend(RoomcastConfig config, Clock clock, ServerMetrics metrics) {
        History history = config.history();
        RoomHistory.HistoryPolicy historyPolicy = historyPolicy(history, config.namespaces());
        if (!config.cluster().redisBroker()) {
            return Backend.local(new LocalBroker(historyPolicy, history.historyMaxBytes(), history.idempotencyWindow(), clock));
        }
        return RedisBackend.connect(new RedisBackend.Settings(config.cluster().broker(), config.cluster().redisPrefix(),
                historyPolicy, redisRoomTtl(history, config.namespaces()), config.cluster().presenceLease(),
                history.idempotencyWindow()), metrics.redisObserver());
    }

    /** {@code backend} with each part measured, and sessions leaving presence {@code presenceGrace} late. */
    private static Backend metered(Backend backend, ServerMetrics metrics, Duration presenceGrace) {
        PresenceStore presence = new MeteredPresenceStore(backend.presence(), metrics);
        return new Backend(new MeteredBroker(backend.broker(), metrics),
                presenceGrace.isZero() ? presence : new GracefulPresenceStore(presence, presenceGrace),
                new MeteredDirectRouter(backend.directs(), metrics));
    }

    /** The longest any room's Redis keys must outlive its last message: the node-wide rule's, or a namespace's. */
    private static Duration redisRoomTtl(History history, Namespaces namespaces) {
        Duration longest = history.redisRoomTtl();
        for (Namespace namespace : namespaces.byName().values()) {
            Duration maxAge = namespace.historyMaxAge();
            Duration ttl = maxAge == null ? longest : maxAge.isZero() ? History.NO_AGE_LIMIT_TTL : maxAge;
            longest = ttl.compareTo(longest) > 0 ? ttl : longest;
        }
        return longest;
    }

    /** Each room's history: its namespace's overrides, else the node-wide settings. */
    private static RoomHistory.HistoryPolicy historyPolicy(History history, Namespaces namespaces) {
        RoomHistory nodeWide = new RoomHistory(history.historySize(), history.historyMaxAge());
        return room -> {
            Namespace namespace = namespaces.of(room);
            if (namespace.historySize() == null && namespace.historyMaxAge() == null) {
                return nodeWide;
            }
            return new RoomHistory(namespace.historySize() != null ? namespace.historySize() : nodeWide.size(),
                    namespace.historyMaxAge() != null ? namespace.historyMaxAge() : nodeWide.maxAge());
        };
    }

    public InetSocketAddress address() {
        return address;
    }

    @Override
    public int port() {
        return address.getPort();
    }

    /** This node's id, as in its session ids and the node list. */
    public String nodeId() {
        return server.nodeId();
    }

    /**
     * Publishes {@code text} to {@code room} as user {@code from}, exactly as a client's
     * {@code publish} or the HTTP API would, without a connection: how a host program that embeds
     * the node pushes into rooms. Completes with the message's position; fails with
     * {@link IllegalArgumentException} for a room name the protocol refuses (reserved names but
     * {@code $global} included) or a text over the configured {@code maxPayloadBytes}.
     */
    public CompletionStage<Position> publish(String room, String from, String text) {
        RoomNames.Checked checked = RoomNames.check(room, true);
        if (!checked.ok()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(checked.refusal()));
        }
        if (Utf8.length(text) > maxPayloadBytes) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("text is longer than " + maxPayloadBytes + " bytes"));
        }
        return hub.broadcast(checked.name(), from, text);
    }

    public Hub hub() {
        return hub;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /**
     * Graceful stop: refuses new connections, closes every WebSocket with 1001 going away, waits
     * up to {@code timeout} for them, then releases everything. Returns the sockets left open.
     */
    @Override
    public int drain(Duration timeout) {
        int open = server.connectionCount();
        long start = System.nanoTime();
        int left = server.drain(timeout);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        if (left == 0) {
            log.info("drained: closed {} WebSocket sessions in {} ms", open, tookMillis);
        } else {
            log.warn("drained: closed {} of {} WebSocket sessions in {} ms; {} were still open after the {} ms drain timeout",
                    open - left, open, tookMillis, left, timeout.toMillis());
        }
        close();
        return left;
    }

    @Override
    public void close() {
        server.stop();
        hub.close();
        if (webhooks != null) {
            webhooks.close();
        }
        backend.close();
        metrics.close();
    }
}
