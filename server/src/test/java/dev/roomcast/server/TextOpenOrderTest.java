package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.broker.Backend;
import dev.roomcast.broker.LocalBroker;
import dev.roomcast.config.Namespaces;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.hooks.HttpHooks;
import dev.roomcast.hub.Hub;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.protocol.SeedText;
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
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.util.ReferenceCountUtil;
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
 * A text client may act as soon as it reads its 101, while its server loop may not yet have learnt
 * that the 101 was written: on a loaded machine the loop's thread can be descheduled between the
 * socket write and the write's listeners. Everything the endpoint needs to see the room's events
 * must therefore happen before the 101 goes out, not in those listeners. Two connections on one hub
 * through the real initializer, router and closer, each on an {@link EmbeddedChannel} of its own.
 */
class TextOpenOrderTest {

    private static final String ROOM = "lobby";

    private final ServerMetrics metrics = new ServerMetrics(Namespaces.none());
    private final EmbeddedChannel leaver = new EmbeddedChannel();
    private final EmbeddedChannel stayer = new EmbeddedChannel();
    /** The stayer's wire: its bytes go out, the completion of their writes waits for {@link #completeWrites}. */
    private final List<ChannelPromise> pendingWrites = new ArrayList<>();
    private LocalBroker broker;
    private AggregatedLog notices;

    @BeforeEach
    void serve() {
        RoomcastConfig config = RoomcastConfig.builder().maxConnectionsPerIp(0).build();
        NettyLoops loops = new NettyLoops(List.of(leaver.eventLoop(), stayer.eventLoop()),
                config.network().pingInterval(), config.network().maxMissedPongs());
        Connections connections = new Connections(loops);
        broker = new LocalBroker(config.history().historySize(), config.history().historyMaxAge(),
                config.history().historyMaxBytes(), Clock.systemUTC());
        Hub hub = new Hub(loops.all(), Backend.local(broker), new EventFramesFactory(ByteBufAllocator.DEFAULT, metrics, FrameCompression.of(config, metrics)), Clock.systemUTC());
        Identities identities = new Identities();
        notices = new AggregatedLog(LoggerFactory.getLogger(AggregatedLog.class), Level.INFO, AggregatedLog.INTERVAL);
        ServerContext context = new ServerContext(config, hub, loops, connections, new WebSocketCloser(metrics, notices),
                identities, metrics, notices, new UpgradeGate(config, connections::draining, identities, metrics),
                SlowConsumers.of(config.namespaces(), config.limits().outboundBufferBytes(), metrics),
                new HttpHooks(config.hooks(), config.namespaces(), config.limits().maxPayloadBytes(), metrics.hookObserver()));
        leaver.pipeline().addLast(new ConnectionInitializer(context, new StaticPage(), null, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
        stayer.pipeline().addLast(new ConnectionInitializer(context, new StaticPage(), null, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
        stayer.pipeline().addFirst("wire", new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ctx.write(msg);
                pendingWrites.add(promise);
            }
        });
    }

    @AfterEach
    void close() {
        leaver.finishAndReleaseAll();
        stayer.finishAndReleaseAll();
        broker.close();
        notices.close();
        metrics.close();
    }

    @Test
    void aClientLeavingRightAfterAnotherOpenedIsAnnouncedToItBeforeItsServerSeesThe101Written() {
        open(leaver);
        open(stayer);

        EmbeddedChannel client = newClient();
        client.writeOutbound(new CloseWebSocketFrame(1000, ""));
        leaver.writeInbound((ByteBuf) client.readOutbound());
        leaver.runPendingTasks();
        client.finishAndReleaseAll();
        assertThat(leaver.isOpen()).isFalse();

        stayer.runPendingTasks();
        completeWrites();
        stayer.runPendingTasks();
        assertThat(textsTo(stayer)).containsExactly(SeedText.left(ROOM));
    }

    /** Sends the handshake and reads the 101, as a client that goes on at once. */
    private static void open(EmbeddedChannel server) {
        server.writeInbound(Unpooled.copiedBuffer("GET /ws/" + ROOM + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n", StandardCharsets.US_ASCII));
        server.runPendingTasks();
        ByteBuf response = server.readOutbound();
        assertThat(response).as("the 101").isNotNull();
        assertThat(response.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101 Switching Protocols");
        response.release();
    }

    /** The loop learns that what it wrote to the stayer is written. */
    private void completeWrites() {
        List<ChannelPromise> written = new ArrayList<>(pendingWrites);
        pendingWrites.clear();
        written.forEach(ChannelPromise::trySuccess);
    }

    /** The text messages the server wrote, decoded as a client reads them. */
    private static List<String> textsTo(EmbeddedChannel server) {
        EmbeddedChannel client = newClient();
        List<String> texts = new ArrayList<>();
        for (ByteBuf bytes; (bytes = server.readOutbound()) != null; ) {
            client.writeInbound(bytes);
        }
        for (Object frame; (frame = client.readInbound()) != null; ) {
            if (frame instanceof TextWebSocketFrame text) {
                texts.add(text.text());
            }
            ReferenceCountUtil.release(frame);
        }
        client.finishAndReleaseAll();
        return texts;
    }

    /** Masks what it sends, as a client must, and decodes what the server answers. */
    private static EmbeddedChannel newClient() {
        return new EmbeddedChannel(new WebSocket13FrameEncoder(true), new WebSocket13FrameDecoder(false, false, 65536));
    }
}
