package dev.roomcast.server.websocket;

import dev.roomcast.config.Namespace;
import dev.roomcast.hub.CloseReason;
import dev.roomcast.hub.Loop;
import dev.roomcast.hub.Session;
import dev.roomcast.hub.SharedEvent;
import dev.roomcast.metrics.NamespaceMeters;
import dev.roomcast.protocol.ServerFrames;
import dev.roomcast.protocol.WireFormat;
import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.RoomEvent;
import dev.roomcast.server.frame.EventFrames;
import dev.roomcast.server.frame.TextFrameBytes;
import dev.roomcast.server.gate.Identities;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;

/**
 * A hub {@link Session} for one WebSocket channel. Confined to the channel's event loop, except
 * {@link #close}, which hops there.
 *
 * <p>Outbound data is bounded by {@code --outbound-buffer-bytes}, in two halves. Frames go straight
 * into Netty's outbound buffer while the channel is writable (its high water mark is half the bound).
 * Once it is not, they wait in a {@link PendingFrames} queue, made at that moment, that takes the
 * other half, and are written from there, oldest first, when the socket buffer drains below its low
 * water mark. When the queue is full, the room's slow-consumer policy decides: {@code disconnect} closes
 * with 1013 slow consumer; {@code drop_oldest} drops the oldest waiting room messages; {@code conflate}
 * first replaces a waiting message of the same key. So a client that stops reading costs about the
 * bound and never slows the fan-out to anyone else. Frames queued but not yet flushed are flushed
 * before the channel is judged unwritable, so a client that reads is not treated as slow because a
 * burst outran the loop's flush task.
 *
 * <p>Frames are complete WebSocket frame bytes, so they enter the pipeline at the frame encoder's
 * context and go straight to the socket (through TLS when it is on), skipping the handlers behind
 * it that would only pass them along: a fan-out to 10,000 members makes 10,000 of these writes.
 *
 * <p>Only a batch's first frame is written as a duplicate of the shared frame; small frames after it, until the
 * flush, are copied one behind the other into one buffer, written at the flush or before anything else is. In a
 * chat (rooms of 50, a message a second each) a busy server flushes 6 to 30 frames per connection at a time, and a
 * duplicate and an outbound-buffer entry per frame were most of what the server allocated, and their reference
 * counts and pending-bytes counters atomics on both loops (docs/benchmarks.md, "Chat at 250,000 deliveries/s: coalescing").
 * The copied bytes count against the outbound bound once written: at most {@link #COALESCED_MAX_BYTES} per
 * connection more than before.
 */
final class ChannelSession implements Session {

    /** A frame up to this size is copied into {@link #coalesced}; a bigger one is written as a duplicate. */
    static final int COALESCED_FRAME_MAX_BYTES = 512;
    /** Where {@link #coalesced} is written out even before the flush, so the outbound bound holds. */
    static final int COALESCED_MAX_BYTES = 16 * 1024;
    private static final int COALESCED_INITIAL_BYTES = 1024;

    /** The session id is built from these when asked for (JSON sessions, logs), not kept per idle socket. */
    private final String node;
    private final long number;
    private final String user;
    private final Channel channel;
    /**
     * The WebSocket frame encoder's context, whose writes reach only the handlers nearer the socket;
     * the channel itself in a pipeline without one (handler tests). Found at the first write: a text
     * session exists (and joins its room) before the handshake puts the encoder in.
     */
    private ChannelOutboundInvoker frames;
    private final Loop loop;
    private final WireFormat format;
    private final WebSocketCloser closer;
    private final SlowConsumers slowConsumers;
    /** Whether the client negotiated permessage-deflate: it gets the room events' compressed frames. */
    private final boolean deflate;
    private boolean unflushed;
    private boolean closing;
    /** What waits while the channel is not writable; null while nothing does. */
    private PendingFrames pending;
    /**
     * The frames of this batch after its first, copied one behind the other, not written yet; null while there are
     * none. Always written before anything else is, so the client gets every frame in order.
     */
    private ByteBuf coalesced;

    ChannelSession(String node, long number, String user, Channel channel, Loop loop, WireFormat format,
                   WebSocketCloser closer, SlowConsumers slowConsumers, boolean deflate) {
        this.node = node;
        this.number = number;
        this.user = user;
        this.channel = channel;
        this.loop = loop;
        this.format = format;
        this.closer = closer;
        this.slowConsumers = slowConsumers;
        this.deflate = deflate;
    }

    @Override
    public String id() {
        return Identities.sessionId(node, number);
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public Loop loop() {
        return loop;
    }

    @Override
    public boolean push(SharedEvent event) {
        assert loop.inLoop() : "push off the session's loop";
        if (gone()) {
            return false;
        }
        EventFrames frames = (EventFrames) event;
        ByteBuf frame = frames.frame(format, deflate);
        if (frame == null) {
            return false;
        }
        if (!writable()) {
            waitForSocket(frame.retainedDuplicate(), event.event(), frames.meters());
            return false;
        }
        frames.meters().delivered(frame.readableBytes());
        if (!unflushed) {
            frames().write(frame.retainedDuplicate(), frames().voidPromise());
            unflushed = true;
            return true;
        }
        coalesce(frame);
        return false;
    }

    /** Adds {@code frame} (borrowed) to the batch, behind what it holds; a session with unflushed data. */
    private void coalesce(ByteBuf frame) {
        int bytes = frame.readableBytes();
        if (bytes > COALESCED_FRAME_MAX_BYTES) {
            writeCoalesced();
            frames().write(frame.retainedDuplicate(), frames().voidPromise());
            return;
        }
        if (coalesced != null && coalesced.maxWritableBytes() < bytes) {
            writeCoalesced();
        }
        if (coalesced == null) {
            coalesced = channel.alloc().ioBuffer(Math.max(COALESCED_INITIAL_BYTES, bytes), COALESCED_MAX_BYTES);
        }
        coalesced.writeBytes(frame, frame.readerIndex(), bytes);
    }

    /** Hands the coalesced frames, if any, to the pipeline (unflushed): anything written after them goes out after them. */
    private void writeCoalesced() {
        if (coalesced != null) {
            ByteBuf batch = coalesced;
            coalesced = null;
            frames().write(batch, frames().voidPromise());
        }
    }

    @Override
    public void pushDirect(DirectMessage message) {
        if (format == WireFormat.JSON_V1) {
            send(ServerFrames.direct(message));
        }
    }

    /**
     * Writes and flushes a text frame meant for this client only (an answer, a welcome, an echo),
     * behind what already waits and under the same outbound bound as room events; it is never dropped.
     * On the session's loop.
     */
    void send(byte[] utf8) {
        assert loop.inLoop() : "send off the session's loop";
        if (gone()) {
            return;
        }
        ByteBuf frame = TextFrameBytes.text(channel.alloc(), utf8);
        if (!writable()) {
            waitForSocket(frame, null, null);
            return;
        }
        writeCoalesced();
        frames().writeAndFlush(frame, frames().voidPromise());
        unflushed = false;
    }

    /**
     * Whether a frame may go straight into Netty's buffer: nothing waits before it and the channel is
     * writable, after pushing out what this loop wrote but did not flush yet (a burst of broadcasts queues
     * several fan-outs before the loop's flush task runs: only what the client does not read counts).
     */
    private boolean writable() {
        if (pending != null) {
            return false;
        }
        if (!channel.isWritable() && unflushed) {
            writeCoalesced();
            frames().flush();
        }
        return channel.isWritable();
    }

    /**
     * Puts {@code frame} (taking ownership) in the pending queue, under the policy of {@code event}'s
     * room (null: an answer to this client, never dropped), to be counted in {@code meters} once written.
     * When nothing more can wait, the session starts closing with 1013 slow consumer; the close is scheduled, not inline, because the caller may
     * be inside a fan-out over a room's members.
     */
    private void waitForSocket(ByteBuf frame, RoomEvent event, NamespaceMeters meters) {
        if (pending == null) {
            pending = slowConsumers.newQueue();
        }
        Namespace.SlowConsumer policy = event == null ? null : slowConsumers.policyOf(event);
        boolean droppable = event instanceof RoomEvent.Message && policy != Namespace.SlowConsumer.DISCONNECT;
        Object conflationKey = policy == Namespace.SlowConsumer.CONFLATE && event instanceof RoomEvent.Message message
                && message.payload().key() != null ? new ConflationKey(message.room(), message.payload().key()) : null;
        if (!pending.offer(frame, meters, policy, droppable, conflationKey)) {
            closing = true;
            discardPending();
            loop.execute(() -> closer.close(channel, CloseReason.SLOW_CONSUMER));
        }
    }

    /** The key under which a {@code conflate} message replaces the waiting one of the same room and key. */
    private record ConflationKey(String room, String key) {
    }

    /**
     * The channel became writable again: writes what waited, oldest first, while it stays writable, and
     * flushes. What is left waits for the next time. On the session's loop.
     */
    void writePending() {
        assert loop.inLoop() : "writePending off the session's loop";
        if (pending == null || closing) {
            return;
        }
        while (!pending.isEmpty() && channel.isWritable()) {
            frames().write(pending.poll(), frames().voidPromise());
        }
        if (pending.isEmpty()) {
            pending = null;
        }
        flush();
    }

    /** Releases what waited; nothing more will be written (the session closes, or has closed). On the session's loop. */
    void discardPending() {
        assert loop.inLoop() : "discardPending off the session's loop";
        if (pending != null) {
            pending.releaseAll();
            pending = null;
        }
        if (coalesced != null) {
            coalesced.release();
            coalesced = null;
        }
    }

    @Override
    public void flush() {
        assert loop.inLoop() : "flush off the session's loop";
        unflushed = false;
        writeCoalesced();
        frames().flush();
    }

    @Override
    public void close(CloseReason reason, String phrase) {
        if (!loop.inLoop()) {
            loop.execute(() -> close(reason, phrase));
            return;
        }
        if (beginClose()) {
            closer.close(channel, reason, phrase);
        }
    }

    /**
     * Marks the session closing, after which nothing more is written to it. Returns false when it
     * already was. On the session's loop.
     */
    boolean beginClose() {
        assert loop.inLoop() : "beginClose off the session's loop";
        if (closing) {
            return false;
        }
        // What this batch coalesced goes before the close frame, as frames written straight to the pipeline would.
        writeCoalesced();
        closing = true;
        return true;
    }

    /**
     * Whether nothing more reaches the client: the session is closing, or its channel has closed and the hub has not
     * heard yet (channelInactive runs as a later task). When a crowd leaves at once (a load tool ending), most members
     * are such sessions while the others' departures fan out, and each write to a closed channel fails through the
     * pipeline with an exception: with 10,000 members that kept both loops busy for minutes.
     */
    private boolean gone() {
        return closing || !channel.isActive();
    }

    /** Whether the session's close frame is written or on its way. On the session's loop. */
    boolean closing() {
        return closing;
    }

    private ChannelOutboundInvoker frames() {
        if (frames == null) {
            ChannelHandlerContext encoder = channel.pipeline().context(WebSocketFrameEncoder.class);
            frames = encoder != null ? encoder : channel;
        }
        return frames;
    }

    @Override
    public String toString() {
        return "session " + id() + " (" + user + ", " + channel.remoteAddress() + ")";
    }
}
