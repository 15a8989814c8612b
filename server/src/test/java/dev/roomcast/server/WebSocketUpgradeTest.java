package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.broker.Backend;
import dev.roomcast.broker.LocalBroker;
import dev.roomcast.config.Namespaces;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.hooks.HttpHooks;
import dev.roomcast.hub.Hub;
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
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * A connection's pipeline on an {@link EmbeddedChannel}, through the real initializer, router,
 * gate and hub: after the handshake only Netty's frame decoder, encoder and UTF-8 validator stand in
 * front of the endpoint; Netty's aggregator joins at the first fragment; the endpoint answers pings
 * and echoes the client's close frame.
 */
class WebSocketUpgradeTest {

    private static final String HANDSHAKE = "GET /ws/lobby HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";

    private final ServerMetrics metrics = new ServerMetrics(Namespaces.none());
    private final AggregatedLog notices = new AggregatedLog(LoggerFactory.getLogger(AggregatedLog.class), Level.INFO,
            AggregatedLog.INTERVAL);
    private final EmbeddedChannel server = new EmbeddedChannel();
    /** Masks what the test sends, as a client must, and decodes what the server answers. */
    private final EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameEncoder(true),
            new WebSocket13FrameDecoder(false, false, 65536));
    private LocalBroker broker;

    @BeforeEach
    void upgrade() {
        RoomcastConfig config = RoomcastConfig.builder().maxConnectionsPerIp(0).build();
        EventLoop loop = server.eventLoop();
        NettyLoops loops = new NettyLoops(loop, config.network().pingInterval(), config.network().maxMissedPongs());
        Connections connections = new Connections(loops);
        broker = new LocalBroker(config.history().historySize(), config.history().historyMaxAge(), config.history().historyMaxBytes(), Clock.systemUTC());
        Hub hub = new Hub(loops.all(), Backend.local(broker), new EventFramesFactory(ByteBufAllocator.DEFAULT, metrics, FrameCompression.of(config, metrics)), Clock.systemUTC(), nanos -> { });
        Identities identities = new Identities();
        ServerContext context = new ServerContext(config, hub, loops, connections, new WebSocketCloser(metrics, notices),
                identities, metrics, notices, new UpgradeGate(config, connections::draining, identities, metrics),
                SlowConsumers.of(config.namespaces(), config.limits().outboundBufferBytes(), metrics),
                new HttpHooks(config.hooks(), config.namespaces(), config.limits().maxPayloadBytes(), metrics.hookObserver()));
        server.pipeline().addLast(new ConnectionInitializer(context, new StaticPage(), null, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
        server.writeInbound(Unpooled.copiedBuffer(HANDSHAKE, StandardCharsets.US_ASCII));
        ByteBuf response = server.readOutbound();
        assertThat(response.toString(StandardCharsets.US_ASCII))
                .startsWith("HTTP/1.1 101 Switching Protocols")
                .contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        response.release();
    }

    @AfterEach
    void close() {
        server.finishAndReleaseAll();
        client.finishAndReleaseAll();
        broker.close();
        metrics.close();
        notices.close();
    }

    @Test
    void anUpgradedConnectionKeepsOnlyNettysFrameCodecAndTheUtf8CheckInFrontOfTheEndpoint() {
        assertThat(handlers()).containsExactly("wsencoder", "ws-utf8", "wsdecoder", "endpoint");
    }

    @Test
    void nothingOfTheHttpRequestFollowsItIntoTheWebSocketPipeline() {
        assertThat((Object) server.readInbound()).as("a message no handler took").isNull();
    }

    @Test
    void aFragmentedMessageBringsInNettysAggregatorAndArrivesWhole() {
        send(new TextWebSocketFrame(false, 0, "hel"));
        assertThat(handlers()).containsExactly("wsencoder", "ws-utf8", "wsdecoder", "ws-aggregator", "endpoint");
        send(new ContinuationWebSocketFrame(true, 0, "lo"));
        server.runPendingTasks();
        TextWebSocketFrame broadcast = (TextWebSocketFrame) received();
        assertThat(broadcast.text()).isEqualTo("Message from lobby: hello");
        broadcast.release();
    }

    @Test
    void aPingIsAnsweredWithItsPayloadAndTheClientsCloseFrameIsEchoedBeforeTheSocketCloses() {
        send(new PingWebSocketFrame(Unpooled.copiedBuffer("are you there", StandardCharsets.UTF_8)));
        PongWebSocketFrame pong = (PongWebSocketFrame) received();
        assertThat(pong.content().toString(StandardCharsets.UTF_8)).isEqualTo("are you there");
        pong.release();

        send(new CloseWebSocketFrame(1000, "bye"));
        CloseWebSocketFrame echo = (CloseWebSocketFrame) received();
        assertThat(echo.statusCode()).isEqualTo(1000);
        assertThat(echo.reasonText()).isEqualTo("bye");
        echo.release();
        assertThat(server.isOpen()).isFalse();
    }

    private List<String> handlers() {
        return new ArrayList<>(server.pipeline().toMap().keySet());
    }

    private void send(WebSocketFrame frame) {
        client.writeOutbound(frame);
        ByteBuf bytes = client.readOutbound();
        server.writeInbound(bytes);
    }

    /** The next frame the server wrote, decoded. */
    private WebSocketFrame received() {
        ByteBuf bytes = server.readOutbound();
        assertThat(bytes).as("a frame from the server").isNotNull();
        client.writeInbound(bytes);
        return client.readInbound();
    }
}
