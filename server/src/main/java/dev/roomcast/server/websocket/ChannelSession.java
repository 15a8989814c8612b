package dev.roomcast.server.websocket;

import dev.roomcast.hub.CloseReason;
import dev.roomcast.hub.Loop;
import dev.roomcast.hub.Session;
import dev.roomcast.hub.SharedEvent;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.protocol.ServerFrames;
import dev.roomcast.protocol.WireFormat;
import dev.roomcast.room.DirectMessage;
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
 * <p>Outbound data is bounded: the channel's high water mark is the configured outbound
 * buffer size. A frame that would cross it is dropped and the session closes with 1013 slow
 * consumer, so a client that stops reading costs at most that many bytes and never slows the
 * fan-out to anyone else. Frames queued but not yet flushed are flushed before that judgement,
 * so a client that reads is never closed because a burst outran the loop's flush task.
 *
 * <p>Frames are complete WebSocket frame bytes, so they enter the pipeline at the frame encoder's
 * context and go straight to the socket (through TLS when it is on), skipping the handlers behind
 * it that would only pass them along: a fan-out to 10,000 members makes 10,000 of these writes.
 */
final class ChannelSession implements Session {

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
    private final ServerMetrics metrics;
    private final WebSocketCloser closer;
    private boolean unflushed;
    private boolean closing;

    ChannelSession(String node, long number, String user, Channel channel, Loop loop, WireFormat format,
                   ServerMetrics metrics, WebSocketCloser closer) {
        this.node = node;
        this.number = number;
        this.user = user;
        this.channel = channel;
        this.loop = loop;
        this.format = format;
        this.metrics = metrics;
        this.closer = closer;
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
        if (closing) {
            return false;
        }
        ByteBuf frame = ((EventFrames) event).frame(format);
        if (frame == null || !fits(frame)) {
            return false;
        }
        frames().write(frame.retainedDuplicate(), frames().voidPromise());
        metrics.delivered(frame.readableBytes());
        if (unflushed) {
            return false;
        }
        unflushed = true;
        return true;
    }

    @Override
    public void pushDirect(DirectMessage message) {
        if (format == WireFormat.JSON_V1) {
            send(ServerFrames.direct(message));
        }
    }

    /**
     * Writes and flushes a text frame meant for this client only (an answer, a welcome, an echo),
     * under the same outbound bound as room events. On the session's loop.
     */
    void send(byte[] utf8) {
        assert loop.inLoop() : "send off the session's loop";
        if (closing) {
            return;
        }
        ByteBuf frame = TextFrameBytes.text(channel.alloc(), utf8);
        if (!fits(frame)) {
            frame.release();
            return;
        }
        frames().writeAndFlush(frame, frames().voidPromise());
        unflushed = false;
    }

    /**
     * Whether the frame fits under the outbound bound. When it does not, the session starts
     * closing with 1013 slow consumer; the close is scheduled, not inline, because the caller may
     * be inside a fan-out over a room's members.
     */
    private boolean fits(ByteBuf frame) {
        int bytes = frame.readableBytes();
        if (bytes > channel.bytesBeforeUnwritable() && unflushed) {
            // A burst of broadcasts queues several fan-outs before the loop's flush task runs, so the
            // bytes counted against the bound may not have been offered to the socket yet. Push them
            // out before judging the client: only what the client does not read counts.
            frames().flush();
        }
        if (bytes <= channel.bytesBeforeUnwritable()) {
            return true;
        }
        closing = true;
        loop.execute(() -> closer.close(channel, CloseReason.SLOW_CONSUMER));
        return false;
    }

    @Override
    public void flush() {
        assert loop.inLoop() : "flush off the session's loop";
        unflushed = false;
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
        closing = true;
        return true;
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
