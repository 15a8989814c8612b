package dev.roomcast.bench;

import dev.roomcast.protocol.SeedText;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket server on 127.0.0.1 and a port the kernel picks, that answers every text frame to
 * its sender in the shape the bench expects from a real server: {@code Message from {room}: …}
 * on {@code /ws/{room}}, {@code Message text was: …} on {@code /echo}, and the frame itself on
 * {@code /v1/ws} (a publish carries the {@code "text"} field the bench reads). Only
 * {@link ClientWarmup} uses it, in a process of its own ({@link #main}): in the bench's process,
 * Netty's server-side codecs would share classes with the client's and blur the profiles the JIT
 * compiles the client from. Thread-safe; each connection's state is confined to its loop.
 */
final class LoopbackServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel listener;

    private LoopbackServer(EventLoopGroup group, Channel listener) {
        this.group = group;
        this.listener = listener;
    }

    /**
     * Runs a server until standard input closes; prints its port, alone on the first line of
     * standard output, once it listens.
     */
    public static void main(String[] args) throws Exception {
        try (LoopbackServer server = start()) {
            System.out.println(server.uri().getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Only the end of the stream matters.
            }
        }
    }

    /** Starts listening on 127.0.0.1 with one event loop. */
    static LoopbackServer start() throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true)
                .withUTF8Validator(false)
                .build();
        try {
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(channelType)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                    new WebSocketServerProtocolHandler(config), new Replier());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            return new LoopbackServer(group, listener);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Base URI clients resolve their paths against. */
    URI uri() {
        return URI.create("ws://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort());
    }

    /** Closes every connection and the listener. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** Answers each text frame of one connection to its sender. Confined to the connection's loop. */
    private static final class Replier extends SimpleChannelInboundHandler<TextWebSocketFrame> {

        private static final byte[] NOTHING = new byte[0];

        /** What each answer starts with, known once the handshake has told the path. */
        private byte[] prefix = NOTHING;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
                prefix = prefixFor(URI.create(handshake.requestUri()).getPath());
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ByteBuf text = frame.content();
            ByteBuf answer = ctx.alloc().buffer(prefix.length + text.readableBytes());
            answer.writeBytes(prefix).writeBytes(text, text.readerIndex(), text.readableBytes());
            ctx.writeAndFlush(new TextWebSocketFrame(answer), ctx.voidPromise());
        }

        private static byte[] prefixFor(String path) {
            String prefix;
            if (path.equals("/echo")) {
                prefix = SeedText.echo("");
            } else if (path.startsWith("/ws/")) {
                prefix = SeedText.message(path.substring("/ws/".length()), "");
            } else {
                return NOTHING;
            }
            return prefix.getBytes(StandardCharsets.UTF_8);
        }
    }
}
