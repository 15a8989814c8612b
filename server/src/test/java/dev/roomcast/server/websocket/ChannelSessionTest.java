package dev.roomcast.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.hub.CloseReason;
import dev.roomcast.hub.Loop;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.protocol.WireFormat;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import dev.roomcast.server.frame.EventFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.util.ReferenceCounted;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * A session on an {@link EmbeddedChannel}: broadcasts are written as duplicates of one shared
 * frame, flushed once, freed with the event; a frame beyond the outbound bound is dropped and the
 * session closes with 1013; in a WebSocket pipeline, frames enter at the frame encoder.
 */
class ChannelSessionTest {

    /** The embedded channel's loop as a hub loop; its tasks run on {@link EmbeddedChannel#runPendingTasks()}. */
    private record EmbeddedLoop(EmbeddedChannel channel) implements Loop {
        @Override
        public int index() {
            return 0;
        }

        @Override
        public boolean inLoop() {
            return channel.eventLoop().inEventLoop();
        }

        @Override
        public void execute(Runnable task) {
            channel.eventLoop().execute(task);
        }
    }

    private final ServerMetrics metrics = new ServerMetrics();
    private final AggregatedLog notices = new AggregatedLog(LoggerFactory.getLogger(AggregatedLog.class), Level.INFO,
            AggregatedLog.INTERVAL);

    @AfterEach
    void closeMetrics() {
        notices.close();
        metrics.close();
    }

    private ChannelSession sessionOn(EmbeddedChannel channel) {
        return new ChannelSession("node", 1, "guest", channel, new EmbeddedLoop(channel), WireFormat.SEED_TEXT, metrics,
                new WebSocketCloser(metrics, notices));
    }

    private static EventFrames message(String text) {
        RoomEvent event = new RoomEvent.Message("lobby", new Position("e1", 0), "guest", text, 0);
        return new EventFrames(event, ByteBufAllocator.DEFAULT);
    }

    @Test
    void everyRecipientGetsTheSameBytesFlushedOnceAndTheFrameIsFreedWithTheEvent() {
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        ChannelSession onA = sessionOn(a);
        ChannelSession onB = sessionOn(b);
        EventFrames first = message("one");
        EventFrames second = message("two");
        ByteBuf shared = first.frame(WireFormat.SEED_TEXT);

        assertThat(onA.push(first)).as("first write leaves unflushed data").isTrue();
        assertThat(onA.push(second)).as("already unflushed").isFalse();
        assertThat(onB.push(first)).isTrue();
        assertThat(shared.refCnt()).as("two retained duplicates share the frame's count, no copies").isEqualTo(3);
        assertThat((Object) a.readOutbound()).as("nothing before the flush").isNull();
        onA.flush();
        onB.flush();

        ByteBuf a1 = a.readOutbound();
        ByteBuf a2 = a.readOutbound();
        ByteBuf b1 = b.readOutbound();
        try {
            assertThat(a1.toString(StandardCharsets.UTF_8)).endsWith("Message from lobby: one");
            assertThat(a2.toString(StandardCharsets.UTF_8)).endsWith("Message from lobby: two");
            assertThat(b1).isEqualTo(a1);
        } finally {
            a1.release();
            a2.release();
            b1.release();
        }
        first.release();
        second.release();
        assertThat(shared.refCnt()).as("freed with the last reference").isZero();
        assertThat(a.finish()).isFalse();
        assertThat(b.finish()).isFalse();
    }

    @Test
    void aFrameBeyondTheOutboundBoundIsDroppedAndTheSessionClosesWith1013() {
        // A WebSocket pipeline's frame codec, so that the channel can take part in a closing handshake.
        EmbeddedChannel slow = new EmbeddedChannel(new WebSocket13FrameDecoder(true, false, 1024),
                new WebSocket13FrameEncoder(false));
        slow.config().setWriteBufferWaterMark(new WriteBufferWaterMark(16, 64));
        ChannelSession session = sessionOn(slow);
        EventFrames small = message("fits");
        EventFrames big = message("x".repeat(100));

        assertThat(session.push(small)).isTrue();
        assertThat(session.push(big)).as("dropped").isFalse();
        assertThat(session.push(small)).as("closing: nothing more is written").isFalse();
        session.flush();
        slow.runPendingTasks();

        assertThat(decodeOutbound(slow)).containsExactly("Message from lobby: fits",
                "close " + CloseReason.SLOW_CONSUMER.code() + " slow consumer");
        assertThat((Object) slow.readOutbound()).isNull();
        assertThat(slow.isOpen()).as("open until the client answers the close frame").isTrue();
        slow.writeInbound(new CloseWebSocketFrame(CloseReason.SLOW_CONSUMER.code(), ""));
        assertThat(slow.isOpen()).as("closed once the client answered").isFalse();
        assertThat(metrics.scrape()).contains("roomcast_slow_consumer_closes_total 1.0");
        small.release();
        big.release();
        assertThat(slow.finish()).isFalse();
    }

    /** An outbound handler behind the encoder: frame bytes written by the session must not pass it. */
    private static final class Recording extends ChannelOutboundHandlerAdapter {
        final List<String> seen = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            seen.add(msg.getClass().getSimpleName());
            ctx.write(msg, promise);
        }
    }

    /** Decodes what reached the socket with Netty's own client-side decoder. */
    private static List<String> decodeOutbound(EmbeddedChannel channel) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 65536));
        for (ByteBuf bytes = channel.readOutbound(); bytes != null; bytes = channel.readOutbound()) {
            client.writeInbound(bytes);
        }
        List<String> frames = new ArrayList<>();
        for (Object frame = client.readInbound(); frame != null; frame = client.readInbound()) {
            if (frame instanceof TextWebSocketFrame text) {
                frames.add(text.text());
            } else if (frame instanceof CloseWebSocketFrame close) {
                frames.add("close " + close.statusCode() + " " + close.reasonText());
            }
            ((ReferenceCounted) frame).release();
        }
        assertThat(client.finish()).isFalse();
        return frames;
    }

    @Test
    void inAWebSocketPipelineFramesGoFromTheEncoderToTheSocketInOrderWithTheCloseFrame() {
        Recording behindEncoder = new Recording();
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocket13FrameDecoder(true, false, 1024),
                new WebSocket13FrameEncoder(false), behindEncoder);
        ChannelSession session = sessionOn(channel);
        EventFrames first = message("one");
        EventFrames second = message("two");

        assertThat(session.push(first)).isTrue();
        assertThat(session.push(second)).isFalse();
        session.flush();
        session.close(CloseReason.GOING_AWAY);
        first.release();
        second.release();

        assertThat(decodeOutbound(channel)).containsExactly(
                "Message from lobby: one", "Message from lobby: two", "close " + CloseReason.GOING_AWAY.code() + " going away");
        assertThat(behindEncoder.seen).as("only the close frame travels the whole pipeline")
                .containsExactly("CloseWebSocketFrame");
        channel.finishAndReleaseAll();
    }
}
