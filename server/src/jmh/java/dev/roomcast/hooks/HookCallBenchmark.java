package dev.roomcast.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What one hook call costs Roomcast's side: {@link HookCaller} (the JDK's asynchronous HttpClient, keep-alive,
 * HTTP/1.1) posting a join hook's body to a backend on loopback that answers {@code {"allow":true}} at once,
 * and reading the answer, one call at a time; and, to compare, the same call over one kept-alive Netty
 * connection ({@code HttpClientCodec} and an aggregator, the same JSON encoding and parsing) without HookCaller's
 * bound, timeout and metrics, so the lower bound of what Netty's client could cost. Run with {@code -prof gc} for
 * the bytes allocated per call. The backend (the JDK's HTTP server) runs in the same JVM, so the time includes
 * its side too: an upper bound.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HookCallBenchmark {

    private static final byte[] ALLOW = "{\"allow\":true}".getBytes(StandardCharsets.UTF_8);

    private HttpServer backend;
    private ExecutorService backendThreads;
    private HookCaller caller;
    private URI url;
    private ObjectNode body;
    private EventLoopGroup nettyLoop;
    private Channel nettyConnection;
    /** The answer the Netty connection waits for; set before each request, completed by its handler. */
    private volatile CompletableFuture<JsonNode> nettyAnswer;

    @Setup(Level.Trial)
    public void start() throws IOException {
        // The JDK server leaves Nagle on by default: its small answers would wait for the client's delayed ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        backendThreads = Executors.newSingleThreadExecutor();
        backend.setExecutor(backendThreads);
        backend.createContext("/join", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, ALLOW.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(ALLOW);
                }
            }
        });
        backend.start();
        url = URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/join");
        caller = new HookCaller(Duration.ofSeconds(2), 256, (hook, outcome, nanos) -> { });
        body = HookCaller.JSON.createObjectNode().put("hook", "join").put("user", "ann").put("room", "vip:lounge");
        nettyLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        nettyConnection = new Bootstrap().group(nettyLoop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) throws IOException {
                                        try (InputStream in = new ByteBufInputStream(response.content())) {
                                            nettyAnswer.complete(HookCaller.JSON.readTree(in));
                                        }
                                    }
                                });
                    }
                }).connect(url.getHost(), url.getPort()).syncUninterruptibly().channel();
    }

    @TearDown(Level.Trial)
    public void stop() {
        nettyConnection.close().syncUninterruptibly();
        nettyLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        backend.stop(0);
        backendThreads.shutdownNow();
    }

    @Benchmark
    public Object joinHookRoundTrip() {
        return caller.call(Hook.JOIN, url, body).toCompletableFuture().join();
    }

    @Benchmark
    public Object joinHookRoundTripNetty() throws IOException {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        nettyAnswer = answer;
        ByteBuf content = nettyConnection.alloc().buffer(64);
        try (ByteBufOutputStream out = new ByteBufOutputStream(content)) {
            HookCaller.JSON.writeValue((OutputStream) out, body);
        }
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, url.getRawPath(), content);
        request.headers().set(HttpHeaderNames.HOST, url.getHost() + ":" + url.getPort())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        nettyConnection.writeAndFlush(request);
        return answer.join();
    }
}
