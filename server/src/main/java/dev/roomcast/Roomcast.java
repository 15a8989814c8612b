package dev.roomcast;

import dev.roomcast.broker.Broker;
import dev.roomcast.broker.LocalBroker;
import dev.roomcast.broker.redis.RedisBroker;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.hub.Hub;
import dev.roomcast.metrics.MeteredBroker;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.server.NettyServer;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Roomcast node: builds the broker, the hub, the metrics and the Netty server and ties their lives
 * together. {@link #start} binds; {@link #drain} and {@link #close} stop, from any thread, once.
 */
public final class Roomcast implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Roomcast.class);

    private final Broker broker;
    private final Hub hub;
    private final NettyServer server;
    private final ServerMetrics metrics;
    private final InetSocketAddress address;

    private Roomcast(Broker broker, Hub hub, NettyServer server, ServerMetrics metrics, InetSocketAddress address) {
        this.broker = broker;
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
        ServerMetrics metrics = new ServerMetrics();
        Broker broker;
        try {
            broker = new MeteredBroker(newBroker(config, clock, metrics), metrics);
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
        NettyServer server = new NettyServer(config, metrics);
        Hub hub = new Hub(server.loops(), broker, server.encoder(), clock, metrics::deliveryBatchFlushed);
        metrics.bindSizes(server::connectionCount, hub::roomCount);
        metrics.bindBuildInfo(version());
        broker.announceNode(server.nodeId(), server::connectionCount);
        try {
            InetSocketAddress address = server.start(hub);
            log.info(StartupLine.of(config, address, server.transport()));
            return new Roomcast(broker, hub, server, metrics, address);
        } catch (BindException | RuntimeException e) {
            broker.close();
            metrics.close();
            throw e;
        }
    }

    /** The broker the config names: in-process, or Redis (connects now, blocking). */
    private static Broker newBroker(RoomcastConfig config, Clock clock, ServerMetrics metrics) {
        if (!config.redisBroker()) {
            return new LocalBroker(config.historySize(), config.historyMaxAge(), config.historyMaxBytes(), clock);
        }
        return RedisBroker.connect(new RedisBroker.Settings(config.broker(), config.redisPrefix(),
                config.historySize(), config.historyMaxAge(), config.redisRoomTtl(), RedisBroker.DEFAULT_PRESENCE_TTL),
                metrics.redisObserver());
    }

    /** The version in the jar's manifest (the pom's), or "development" when run from classes. */
    public static String version() {
        String version = Roomcast.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** This node's id, as in its session ids and the node list. */
    public String nodeId() {
        return server.nodeId();
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
        broker.close();
        metrics.close();
    }
}
