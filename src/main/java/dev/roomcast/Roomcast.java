package dev.roomcast;

import dev.roomcast.broker.Broker;
import dev.roomcast.broker.LocalBroker;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.hub.Hub;
import dev.roomcast.server.NettyServer;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;

/**
 * One Roomcast node: builds the broker, the hub and the Netty server and ties their lives
 * together. {@link #start} binds; {@link #drain} and {@link #close} stop, from any thread, once.
 */
public final class Roomcast implements AutoCloseable {

    private final Broker broker;
    private final Hub hub;
    private final NettyServer server;
    private final InetSocketAddress address;

    private Roomcast(Broker broker, Hub hub, NettyServer server, InetSocketAddress address) {
        this.broker = broker;
        this.hub = hub;
        this.server = server;
        this.address = address;
    }

    /** Starts a node and returns once it accepts connections. */
    public static Roomcast start(RoomcastConfig config) throws BindException {
        Clock clock = Clock.systemUTC();
        Broker broker = new LocalBroker(config.historySize(), config.historyMaxAge(), config.historyMaxBytes(), clock);
        NettyServer server = new NettyServer(config);
        Hub hub = new Hub(server.loops(), broker, server.encoder(), clock);
        try {
            return new Roomcast(broker, hub, server, server.start(hub));
        } catch (BindException e) {
            broker.close();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    public Hub hub() {
        return hub;
    }

    /**
     * Graceful stop: refuses new connections, closes every WebSocket with 1001 going away, waits
     * up to {@code timeout} for them, then releases everything. Returns the sockets left open.
     */
    public int drain(Duration timeout) {
        int left = server.drain(timeout);
        close();
        return left;
    }

    @Override
    public void close() {
        server.stop();
        broker.close();
    }
}
