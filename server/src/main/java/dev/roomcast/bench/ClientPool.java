package dev.roomcast.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * The bench's client side: a Netty event loop group (epoll when available), the connections it
 * opens with a bounded number of handshakes in flight, and per-loop statistics. Thread-safe;
 * each connection and each loop's statistics are confined to their loop.
 */
final class ClientPool implements AutoCloseable {

    /** Connections that opened, how many did not, and how long opening took. */
    record Opened(List<BenchClient> clients, int failed, String firstFailure, long elapsedNanos) {
    }

    private static final int SLOW_RECEIVE_BUFFER_BYTES = 4096;

    private final EventLoopGroup group;
    private final Class<? extends Channel> channelType;
    private final Map<EventExecutor, LoopStats> statsByLoop = new IdentityHashMap<>();
    private final AtomicInteger lost = new AtomicInteger();
    private volatile boolean closing;

    ClientPool(int threads) {
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        for (EventExecutor loop : group) {
            statsByLoop.put(loop, new LoopStats());
        }
    }

    /**
     * Opens {@code count} connections, client {@code i} built by {@code clientFor}, with at most
     * {@code plan.concurrency()} handshakes in flight; completes when every attempt has ended.
     */
    CompletableFuture<Opened> open(BenchPlan plan, int count, IntFunction<BenchClient> clientFor) {
        InetSocketAddress remote = new InetSocketAddress(plan.server().getHost(), port(plan.server()));
        InetSocketAddress local = plan.sourceAddress() == null ? null : new InetSocketAddress(plan.sourceAddress(), 0);
        CompletableFuture<Opened> done = new CompletableFuture<>();
        BenchClient[] opened = new BenchClient[count];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long start = System.nanoTime();
        Runnable[] startNext = new Runnable[1];
        startNext[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= count) {
                return;
            }
            BenchClient client = clientFor.apply(i);
            client.handshake().whenComplete((ok, failure) -> {
                if (failure == null) {
                    opened[i] = client;
                } else {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, String.valueOf(failure.getMessage()));
                    if (client.channel() != null) {
                        client.channel().close();
                    }
                }
                if (finished.incrementAndGet() == count) {
                    List<BenchClient> clients = new ArrayList<>(count);
                    for (BenchClient c : opened) {
                        if (c != null) {
                            clients.add(c);
                        }
                    }
                    done.complete(new Opened(clients, failed.get(), firstFailure.get(), System.nanoTime() - start));
                } else {
                    startNext[0].run();
                }
            });
            connect(plan, client, remote, local);
        };
        for (int i = 0; i < Math.min(count, plan.concurrency()); i++) {
            startNext[0].run();
        }
        return done;
    }

    private void connect(BenchPlan plan, BenchClient client, InetSocketAddress remote, InetSocketAddress local) {
        URI uri = plan.uriFor(client.room());
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                // Close frames reach the BenchClient, which records their code (1013 for a slow consumer).
                .handleCloseFrames(false)
                .dropPongFrames(true)
                .handshakeTimeoutMillis(30_000)
                .generateOriginHeader(false)
                .withUTF8Validator(false)
                // With compression, Netty's extension handler negotiates permessage-deflate and inflates frames.
                .allowExtensions(plan.compression())
                .build();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        client.attach(channel, statsByLoop.get(channel.eventLoop()));
                        channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192));
                        if (plan.compression()) {
                            channel.pipeline().addLast(WebSocketClientCompressionHandler.INSTANCE);
                        }
                        channel.pipeline().addLast(new WebSocketClientProtocolHandler(config), client);
                    }
                });
        if (local != null && channelType == EpollSocketChannel.class) {
            // Bind the source address only, and take the port at connect time by the whole
            // (source, destination) pair: a port bound before connecting is held from every other
            // connection of the machine, and its TIME_WAIT too, which exhausts the ephemeral ports
            // after one large --procs run.
            bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        if (client.stopsReading()) {
            // A small receive window, set before connecting, so the kernel buffers little for a member
            // that stops reading and the server's own outbound bound is what fills up.
            bootstrap.option(ChannelOption.SO_RCVBUF, SLOW_RECEIVE_BUFFER_BYTES);
        }
        ChannelFuture connecting = local == null ? bootstrap.connect(remote) : bootstrap.connect(remote, local);
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                client.connectFailed(f.cause());
            }
        });
    }

    /** Runs {@code onLost} bookkeeping for a client whose open connection closed. */
    Runnable lostCounter() {
        return () -> {
            if (!closing) {
                lost.incrementAndGet();
            }
        };
    }

    /** Open connections that closed before the bench closed them. */
    int lost() {
        return lost.get();
    }

    /** Sum of every loop's statistics, each copied on its own loop. */
    LoopStats totals() throws InterruptedException, ExecutionException {
        LoopStats total = new LoopStats();
        for (Map.Entry<EventExecutor, LoopStats> entry : statsByLoop.entrySet()) {
            total.add(entry.getKey().submit(entry.getValue()::copy).get());
        }
        return total;
    }

    /** Closes every connection and stops the loops. */
    @Override
    public void close() {
        closing = true;
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    private static int port(URI server) {
        if (server.getPort() > 0) {
            return server.getPort();
        }
        return "wss".equals(server.getScheme()) ? 443 : 80;
    }
}
