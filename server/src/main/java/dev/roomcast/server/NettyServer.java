package dev.roomcast.server;

import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.hooks.HttpHooks;
import dev.roomcast.hub.Hub;
import dev.roomcast.hub.Loop;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.server.frame.EventFramesFactory;
import dev.roomcast.server.frame.FrameCompression;
import dev.roomcast.server.gate.Identities;
import dev.roomcast.server.gate.UpgradeGate;
import dev.roomcast.server.websocket.AggregatedLog;
import dev.roomcast.server.websocket.Connections;
import dev.roomcast.server.websocket.NettyLoops;
import dev.roomcast.server.websocket.ServerContext;
import dev.roomcast.server.websocket.SlowConsumers;
import dev.roomcast.server.websocket.WebSocketCloser;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Netty's side of one node: the event loop groups (on the transport {@code --transport} picks, see
 * {@link Transports}), the listening socket, and an orderly stop. Start on one thread, stop on any.
 */
public final class NettyServer {

    private static final Logger log = LoggerFactory.getLogger(NettyServer.class);
    /**
     * How long {@link #stop} waits for the sockets to close: long enough for loops behind on their work (a close is
     * a task queued behind it), since an io_uring loop stopped before its sockets closed leaks their read buffers.
     */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final RoomcastConfig config;
    private final ServerMetrics metrics;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Transports transport;
    private final NettyLoops loops;
    private final Connections connections;
    private final AggregatedLog notices = new AggregatedLog(LoggerFactory.getLogger(AggregatedLog.class), Level.INFO,
            AggregatedLog.INTERVAL);
    private final Identities identities = new Identities();
    /** Every accepted socket until it closes, WebSocket or not; DefaultChannelGroup drops closed ones itself. */
    private final ChannelGroup accepted = new DefaultChannelGroup("accepted", GlobalEventExecutor.INSTANCE);
    private Channel listener;

    public NettyServer(RoomcastConfig config, ServerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.transport = Transports.of(config.network().transport());
        int threads = config.network().ioThreads() > 0 ? config.network().ioThreads() : Runtime.getRuntime().availableProcessors();
        this.boss = new MultiThreadIoEventLoopGroup(1, transport.io());
        this.workers = new MultiThreadIoEventLoopGroup(threads, transport.io());
        this.loops = new NettyLoops(workers, config.network().pingInterval(), config.network().maxMissedPongs());
        this.connections = new Connections(loops);
    }

    /** The loops the hub shards its rooms over. */
    public List<? extends Loop> loops() {
        return loops.all();
    }

    /** The encoder the hub prepares broadcasts with. */
    public EventFramesFactory encoder() {
        return new EventFramesFactory(ByteBufAllocator.DEFAULT, metrics, FrameCompression.of(config, metrics));
    }

    /**
     * Listens and serves. Returns the bound address.
     *
     * @throws BindException when the address is taken or not available
     */
    public InetSocketAddress start(Hub hub) throws BindException {
        UpgradeGate gate = new UpgradeGate(config, connections::draining, identities, metrics);
        SslContext tls = config.network().tlsEnabled() ? TlsContexts.server(config.network().tlsCert(), config.network().tlsKey()) : null;
        ServerContext context = new ServerContext(config, hub, loops, connections, new WebSocketCloser(metrics, notices),
                identities, metrics, notices, gate,
                SlowConsumers.of(config.namespaces(), config.limits().outboundBufferBytes(), metrics),
                new HttpHooks(config.hooks(), config.namespaces(), config.limits().maxPayloadBytes(), metrics.hookObserver()));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Half the outbound bound for the socket buffer; the other half for frames waiting while it is full.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.limits().outboundBufferBytes() / 4, config.limits().outboundBufferBytes() / 2))
                .childHandler(new ConnectionInitializer(context, new StaticPage(), tls, accepted));
        try {
            listener = bootstrap.bind(config.network().host(), config.network().port()).syncUninterruptibly().channel();
        } catch (Exception e) {
            stopLoops(Duration.ZERO);
            notices.close();
            if (e instanceof BindException bind) {
                throw bind;
            }
            BindException bind = new BindException(e.getMessage());
            bind.initCause(e);
            throw bind;
        }
        return (InetSocketAddress) listener.localAddress();
    }

    /**
     * Stops accepting, closes every WebSocket with 1001 going away and waits up to {@code timeout}
     * for them to close. Returns the number still open when it gave up.
     */
    public int drain(Duration timeout) {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        connections.startDrain();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (connections.count() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return connections.count();
    }

    /** Closes everything at once. */
    public void stop() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        closeAccepted();
        stopLoops(Duration.ofSeconds(2));
        notices.close();
    }

    /** How the event loops are set up, for the start-up line: their number and transport. */
    public String transport() {
        return loops.all().size() + " event loops, " + transport.label();
    }

    /** This node's id: the prefix of its session ids, and its name in the node list. */
    public String nodeId() {
        return identities.nodeId();
    }

    /** Open WebSocket connections. */
    public int connectionCount() {
        return connections.count();
    }

    /**
     * Closes every accepted socket and waits for the closes, while the loops still run. With io_uring a socket's
     * close waits for the kernel to give back its pending read, buffer included; a loop that stops first (Netty's
     * shutdown closes the sockets itself, then waits 200 ms and closes its ring) left sockets open and their read
     * buffers leaked. Called after the listener closed: a task run on every loop behind the registrations of the
     * sockets it accepted last makes sure they are in the group.
     */
    private void closeAccepted() {
        for (EventExecutor loop : workers) {
            loop.submit(() -> { }).awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
        }
        if (!accepted.close().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis())) {
            log.warn("{} sockets were still closing after {} ms; stopping the event loops anyway", accepted.size(),
                    CLOSE_TIMEOUT.toMillis());
        }
    }

    private void stopLoops(Duration timeout) {
        Function<EventLoopGroup, Future<?>> shut = group -> group.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
        Future<?> bossDone = shut.apply(boss);
        Future<?> workersDone = shut.apply(workers);
        bossDone.awaitUninterruptibly();
        workersDone.awaitUninterruptibly();
    }
}
