package dev.roomcast.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.hub.CloseReason;
import dev.roomcast.hub.Loop;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.protocol.WireFormat;
import dev.roomcast.room.Payload;
import dev.roomcast.room.Position;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.room.RoomEvent;
import dev.roomcast.server.frame.EventFrames;
import dev.roomcast.server.frame.FrameCompression;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.util.ReferenceCounted;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * A session on an {@link EmbeddedChannel}: a batch's first broadcast is written as a duplicate of one
 * shared frame and the small ones after it as one copied buffer, in order, flushed once, freed with the
 * event; while the channel is not writable frames wait in the
 * pending queue, and when it is full the room's slow-consumer policy closes with 1013, drops the
 * oldest or replaces by key; in a WebSocket pipeline, frames enter at the frame encoder. A full socket
 * buffer is played by a user-defined writability bit of the channel.
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

    private final ServerMetrics metrics = new ServerMetrics(Namespaces.none());
    private final AggregatedLog notices = new AggregatedLog(LoggerFactory.getLogger(AggregatedLog.class), Level.INFO,
            AggregatedLog.INTERVAL);

    @AfterEach
    void closeMetrics() {
        notices.close();
        metrics.close();
    }

    /** Bytes that may wait in front of a full socket buffer: two or three of these tests' frames. */
    private static final int PENDING_LIMIT = 64;
    private static final Namespaces POLICIES = new Namespaces(Map.of(
            "feed", new Namespace(Namespace.Publish.MEMBERS, PresenceMode.FULL, false, null, null, Namespace.SlowConsumer.DROP_OLDEST, null),
            "ticker", new Namespace(Namespace.Publish.MEMBERS, PresenceMode.FULL, false, null, null, Namespace.SlowConsumer.CONFLATE, null)));

    private ChannelSession sessionOn(EmbeddedChannel channel) {
        return new ChannelSession("node", 1, "guest", channel, new EmbeddedLoop(channel), WireFormat.SEED_TEXT,
                new WebSocketCloser(metrics, notices), new SlowConsumers(POLICIES, PENDING_LIMIT, metrics), false);
    }

    private EventFrames message(String text) {
        return message("lobby", text, null);
    }

    private EventFrames message(String room, String text, String key) {
        RoomEvent event = new RoomEvent.Message(room, new Position("e1", 0), "guest", new Payload(null, text, null, key), 0,
                null);
        return new EventFrames(event, ByteBufAllocator.DEFAULT, metrics.namespaceOf(room), FrameCompression.of(RoomcastConfig.defaults(), metrics));
    }

    /** A WebSocket pipeline's frame codec, so that the channel can take part in a closing handshake. */
    private static EmbeddedChannel webSocketChannel() {
        return new EmbeddedChannel(new WebSocket13FrameDecoder(true, false, 1024), new WebSocket13FrameEncoder(false));
    }

    /** Plays a socket buffer that is full ({@code false}) or has drained ({@code true}). */
    private static void socketWritable(EmbeddedChannel channel, boolean writable) {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
    }

    /** Delivers each event to the session and releases it, as a fan-out does. */
    private static void deliverAll(ChannelSession session, EventFrames... events) {
        for (EventFrames event : events) {
            session.push(event);
            event.release();
        }
    }

    @Test
    void aChannelThatHasClosedIsWrittenNothingBeforeTheHubHearsItLeft() {
        EmbeddedChannel channel = new EmbeddedChannel();
        ChannelSession session = sessionOn(channel);
        AtomicInteger failures = new AtomicInteger();
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                failures.incrementAndGet();
            }
        });
        channel.close();
        EventFrames left = new EventFrames(new RoomEvent.SessionLeft("lobby", "ann"), ByteBufAllocator.DEFAULT,
                metrics.namespaceOf("lobby"), FrameCompression.of(RoomcastConfig.defaults(), metrics));
        ByteBuf frame = left.frame(WireFormat.SEED_TEXT, false);

        assertThat(session.push(left)).isFalse();
        session.send("an answer".getBytes(StandardCharsets.UTF_8));
        assertThat(frame.refCnt()).as("no duplicate was written").isEqualTo(1);
        assertThat(failures.get()).as("no write failed through the pipeline").isZero();
        left.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void everyRecipientGetsTheSameBytesFlushedOnceAndTheFrameIsFreedWithTheEvent() {
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        ChannelSession onA = sessionOn(a);
        ChannelSession onB = sessionOn(b);
        EventFrames first = message("one");
        EventFrames second = message("two");
        ByteBuf shared = first.frame(WireFormat.SEED_TEXT, false);

        assertThat(onA.push(first)).as("first write leaves unflushed data").isTrue();
        assertThat(onA.push(second)).as("already unflushed").isFalse();
        assertThat(onB.push(first)).isTrue();
        assertThat(shared.refCnt()).as("each batch's first frame is a retained duplicate, no copy").isEqualTo(3);
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
    void aBatchsFramesAfterTheFirstReachTheSocketAsOneBufferInOrderAndAFrameTooBigToCopyKeepsItsPlace() {
        EmbeddedChannel channel = webSocketChannel();
        ChannelSession session = sessionOn(channel);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String text = i == 20 ? "big " + "x".repeat(ChannelSession.COALESCED_FRAME_MAX_BYTES) : "m" + i;
            sent.add("Message from lobby: " + text);
            deliverAll(session, message(text));
        }
        session.flush();

        assertThat(channel.outboundMessages())
                .as("the first frame, the 19 small ones after it, the big one, the 9 small ones after that")
                .hasSize(4);
        assertThat(decodeOutbound(channel)).containsExactlyElementsOf(sent);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void whatABatchCoalescedGoesOutBeforeAnAnswerAndBeforeTheCloseFrame() {
        EmbeddedChannel channel = webSocketChannel();
        ChannelSession session = sessionOn(channel);

        deliverAll(session, message("one"), message("two"));
        session.send("answer".getBytes(StandardCharsets.UTF_8));
        deliverAll(session, message("three"), message("four"));
        session.close(CloseReason.GOING_AWAY);
        session.flush();

        assertThat(decodeOutbound(channel)).containsExactly("Message from lobby: one", "Message from lobby: two",
                "answer", "Message from lobby: three", "Message from lobby: four",
                "close " + CloseReason.GOING_AWAY.code() + " going away");
        channel.finishAndReleaseAll();
    }

    @Test
    void aBatchCoalescingPastItsBoundIsWrittenOutWithoutWaitingForTheFlush() {
        EmbeddedChannel channel = webSocketChannel();
        ChannelSession session = sessionOn(channel);
        String text = "y".repeat(400);
        int frames = 2 + ChannelSession.COALESCED_MAX_BYTES / 400;
        for (int i = 0; i < frames; i++) {
            deliverAll(session, message(text));
        }

        assertThat(channel.unsafe().outboundBuffer().totalPendingWriteBytes())
                .as("written to the channel, so counted against its outbound bound, before any flush")
                .isGreaterThan(ChannelSession.COALESCED_MAX_BYTES);
        session.flush();
        assertThat(decodeOutbound(channel)).hasSize(frames).containsOnly("Message from lobby: " + text);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aSessionThatStopsReleasesWhatItCoalesced() {
        EmbeddedChannel channel = webSocketChannel();
        List<ByteBuf> allocated = new ArrayList<>();
        channel.config().setAllocator(new AbstractByteBufAllocator() {
            @Override
            public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
                ByteBuf buffer = super.ioBuffer(initialCapacity, maxCapacity);
                allocated.add(buffer);
                return buffer;
            }

            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                return Unpooled.buffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                return Unpooled.directBuffer(initialCapacity, maxCapacity);
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        });
        ChannelSession session = sessionOn(channel);
        deliverAll(session, message("one"), message("two"), message("three"));

        session.discardPending();
        session.flush();

        assertThat(allocated).as("one buffer for the frames after the first").hasSize(1);
        assertThat(allocated.get(0).refCnt()).as("released by the discard").isZero();
        assertThat(decodeOutbound(channel)).as("nothing coalesced is written after a discard")
                .containsExactly("Message from lobby: one");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void inADisconnectRoomAFrameThatOverflowsThePendingQueueClosesTheSessionWith1013() {
        EmbeddedChannel slow = webSocketChannel();
        ChannelSession session = sessionOn(slow);
        EventFrames small = message("fits");
        ByteBuf smallFrame = small.frame(WireFormat.SEED_TEXT, false);

        assertThat(session.push(small)).as("written: the channel is writable").isTrue();
        session.flush();
        socketWritable(slow, false);
        assertThat(session.push(small)).as("waits: nothing to flush").isFalse();
        deliverAll(session, message("x".repeat(100)));
        assertThat(session.push(small)).as("closing: nothing more is written").isFalse();
        slow.runPendingTasks();

        assertThat(decodeOutbound(slow)).containsExactly("Message from lobby: fits",
                "close " + CloseReason.SLOW_CONSUMER.code() + " slow consumer");
        assertThat((Object) slow.readOutbound()).isNull();
        assertThat(slow.isOpen()).as("open until the client answers the close frame").isTrue();
        slow.writeInbound(new CloseWebSocketFrame(CloseReason.SLOW_CONSUMER.code(), ""));
        assertThat(slow.isOpen()).as("closed once the client answered").isFalse();
        assertThat(metrics.scrape()).contains("roomcast_slow_consumer_closes_total 1.0",
                "roomcast_slow_consumer_actions_total{action=\"closed\",policy=\"disconnect\"} 1.0");
        small.release();
        assertThat(smallFrame.refCnt()).as("the waiting duplicate was released with the queue").isZero();
        assertThat(slow.finish()).isFalse();
    }

    @Test
    void inADropOldestRoomTheOldestWaitingMessagesGiveWayAndTheRestGoOutInOrderOnceWritable() {
        EmbeddedChannel slow = webSocketChannel();
        ChannelSession session = sessionOn(slow);
        socketWritable(slow, false);

        deliverAll(session, message("feed:a", "m1", null), message("feed:a", "m2", null), message("feed:a", "m3", null),
                message("feed:a", "m4", null));
        assertThat((Object) slow.readOutbound()).as("nothing written while the socket is full").isNull();
        socketWritable(slow, true);
        session.writePending();

        assertThat(decodeOutbound(slow)).as("two frames of 24 bytes fit the 64 bytes that may wait")
                .containsExactly("Message from feed:a: m3", "Message from feed:a: m4");
        assertThat(slow.isOpen()).isTrue();
        assertThat(metrics.scrape()).contains(
                "roomcast_slow_consumer_actions_total{action=\"dropped\",policy=\"drop_oldest\"} 2.0");
        assertThat(slow.finish()).isFalse();
    }

    @Test
    void inAConflateRoomAKeyedMessageReplacesTheWaitingOneOfTheSameKeyAndGoesToTheEnd() {
        EmbeddedChannel slow = webSocketChannel();
        ChannelSession session = sessionOn(slow);
        socketWritable(slow, false);

        deliverAll(session, message("ticker:t", "a=1", "a"), message("ticker:t", "b=1", "b"),
                message("ticker:t", "a=2", "a"), message("ticker:t", "b=2", "b"), message("ticker:t", "a=3", "a"));
        socketWritable(slow, true);
        session.writePending();

        assertThat(decodeOutbound(slow)).as("the latest value of each key, in the order they were published")
                .containsExactly("Message from ticker:t: b=2", "Message from ticker:t: a=3");
        assertThat(metrics.scrape()).contains(
                "roomcast_slow_consumer_actions_total{action=\"replaced\",policy=\"conflate\"} 3.0",
                "roomcast_slow_consumer_actions_total{action=\"dropped\",policy=\"conflate\"} 0.0");
        assertThat(slow.finish()).isFalse();
    }

    @Test
    void anAnswerWaitingForTheSocketIsNeverDroppedAndGoesOutFirst() {
        EmbeddedChannel slow = webSocketChannel();
        ChannelSession session = sessionOn(slow);
        socketWritable(slow, false);

        session.send("answer".getBytes(StandardCharsets.UTF_8));
        deliverAll(session, message("feed:a", "m1", null), message("feed:a", "m2", null), message("feed:a", "m3", null));
        socketWritable(slow, true);
        session.writePending();

        assertThat(decodeOutbound(slow)).as("the answer (8 bytes) stays; the oldest message gives way")
                .containsExactly("answer", "Message from feed:a: m2", "Message from feed:a: m3");
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
