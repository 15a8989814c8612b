package dev.roomcast.server.websocket;

import dev.roomcast.hub.CloseReason;
import dev.roomcast.protocol.WireFormat;
import dev.roomcast.security.RateLimiter;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a session that both WebSocket endpoints share, one instance per connection,
 * confined to the channel's event loop: the session opens when the handshake completes and leaves
 * the hub when the channel closes; fragmented messages are joined by Netty's aggregator, put in
 * front of the endpoint at the first fragment, and compressed messages by Netty's permessage-deflate
 * decoder, put in at the first one; pings are answered, the client's close frame goes to
 * the {@link WebSocketCloser} and the loop's heartbeat ({@link LoopSockets}) pings through here; binary
 * frames close with 1003; exceptions become close codes. Subclasses handle only text messages and
 * what opening means to their protocol.
 */
public abstract class WebSocketEndpoint extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);
    /** The permessage-deflate bit of a frame's reserved bits (RFC 7692). */
    private static final int RSV1 = 0x4;
    private static final String AGGREGATOR = "ws-aggregator";
    private static final String INFLATER = "ws-inflater";

    protected final ServerContext context;
    private final String user;
    private final WireFormat format;
    private ChannelHandlerContext ctx;
    /** Null until the handshake completes and again once the channel has closed. */
    protected ChannelSession session;
    /** Made at the first message: most idle sockets never need one. */
    private RateLimiter limiter;
    /**
     * The permessage-deflate extension the client negotiated, shared by such connections; null without one. Its
     * inflater is put in at the client's first compressed message, so an idle connection holds none.
     */
    private WebSocketServerExtension deflate;
    /** Pings sent since the client last sent a frame of any kind. */
    private int missedPings;
    /** This endpoint's place in its {@link LoopSockets}: the slot, -1 while not in one, and the index in it. */
    int wheelSlot = -1;
    int wheelIndex;

    WebSocketEndpoint(ServerContext context, String user, WireFormat format) {
        this.context = context;
        this.user = user;
        this.format = format;
    }

    /** The handshake completed and {@link #session} exists. By default nothing. */
    protected void opened(ChannelHandlerContext ctx) {
    }

    /** A complete text message from the client (fragments already joined). */
    protected abstract void received(ChannelHandlerContext ctx, String text);

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Before the 101: makes the session and lets the endpoint get ready for it ({@link #beforeOpen}),
     * then runs {@code answerHandshake}, on the loop. A client that sees the 101 is fully open.
     * {@code deflate}: what the client and the server agreed on permessage-deflate, or null.
     */
    public void prepare(DeflateNegotiation.Accepted deflate, Runnable answerHandshake) {
        this.deflate = deflate == null ? null : deflate.extension();
        session = context.newSession(ctx.channel(), user, format, deflate != null);
        beforeOpen(ctx, answerHandshake);
    }

    /**
     * What must be true before the client learns it is connected; calls {@code ready} once it is, on
     * the loop. By default nothing.
     */
    protected void beforeOpen(ChannelHandlerContext ctx, Runnable ready) {
        ready.run();
    }

    /** The handshake response has been written: opens the session and joins the loop's heartbeat. */
    public void handshakeCompleted() {
        if (session == null) {
            return;
        }
        log.debug("{} opened", session);
        context.loops().of(ctx.channel().eventLoop()).sockets().add(this);
        opened(ctx);
        if (context.connections().draining()) {
            // The drain swept this loop before this socket joined it.
            close(CloseReason.GOING_AWAY);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) throws Exception {
        missedPings = 0;
        if (frame.rsv() != 0) {
            if (!startInflating(ctx, frame)) {
                close(CloseReason.PROTOCOL_ERROR);
            }
            return;
        }
        if (frame instanceof TextWebSocketFrame text) {
            if (!text.isFinalFragment()) {
                startAggregating(ctx, text);
            } else if (inflating(ctx) && !ByteBufUtil.isText(text.content(), StandardCharsets.UTF_8)) {
                close(CloseReason.INVALID_PAYLOAD);
            } else if (session != null) {
                received(ctx, text.text());
            }
        } else if (frame instanceof PingWebSocketFrame) {
            if (!closing()) {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
            }
        } else if (frame instanceof CloseWebSocketFrame close) {
            if (session != null) {
                session.beginClose();
            }
            context.closer().peerClosed(ctx.channel(), close.retain());
        } else if (!(frame instanceof PongWebSocketFrame)) {
            close(CloseReason.UNSUPPORTED_DATA);
        }
    }

    /**
     * The first fragment of a fragmented message: from now on Netty's aggregator joins fragments in
     * front of this endpoint, starting with this one. Put in on first use, because most
     * connections never fragment a message and an idle one should not carry it.
     */
    private void startAggregating(ChannelHandlerContext ctx, TextWebSocketFrame first) throws Exception {
        WebSocketFrameAggregator aggregator = new WebSocketFrameAggregator(context.config().limits().maxMessageBytes());
        ctx.pipeline().addBefore(ctx.name(), AGGREGATOR, aggregator);
        aggregator.channelRead(ctx.pipeline().context(aggregator), first.retain());
    }

    /**
     * A frame with reserved bits reached the endpoint. The one allowed is the first frame of the client's first
     * compressed message (RSV1 on a text frame) on a connection that negotiated permessage-deflate: the inflater
     * goes in front of the endpoint (and of the aggregator, if a fragmented message put one in) and takes the
     * frame. Returns false for any other (a protocol error): after that, compressed frames reach the endpoint
     * inflated, with RSV1 clear. The inflater stops at --max-message-bytes (1009).
     */
    private boolean startInflating(ChannelHandlerContext ctx, WebSocketFrame first) throws Exception {
        if (deflate == null || first.rsv() != RSV1 || !(first instanceof TextWebSocketFrame) || inflating(ctx)) {
            return false;
        }
        ChannelInboundHandler inflater = (ChannelInboundHandler) deflate.newExtensionDecoder();
        String behind = ctx.pipeline().get(AGGREGATOR) != null ? AGGREGATOR : ctx.name();
        ctx.pipeline().addBefore(behind, INFLATER, inflater);
        inflater.channelRead(ctx.pipeline().context(inflater), first.retain());
        return true;
    }

    /**
     * Whether the client has sent a compressed message: its text is then checked for UTF-8 here, once
     * inflated, since the byte-by-byte check in front of the frame decoder sees only deflate. The pipeline is
     * looked up by name only on a connection that negotiated deflate: every text message asks.
     */
    private boolean inflating(ChannelHandlerContext ctx) {
        return deflate != null && ctx.pipeline().get(INFLATER) != null;
    }

    /** Takes a token for one message from this connection's rate limiter; a refusal is counted and logged in sum. */
    protected RateLimiter.Verdict takeToken() {
        if (limiter == null) {
            limiter = context.newRateLimiter();
        }
        RateLimiter.Verdict verdict = limiter.tryAcquire();
        if (verdict != RateLimiter.Verdict.ACCEPT) {
            context.metrics().rateLimited();
            context.notices().count("messages dropped by the rate limit");
        }
        return verdict;
    }

    /**
     * One turn of the heartbeat: a ping, or the 1001 ping timeout close for a client that left
     * {@code maxMissed} pings in a row unanswered.
     */
    void heartbeat(int maxMissed) {
        if (missedPings >= maxMissed) {
            close(CloseReason.PING_TIMEOUT);
            return;
        }
        missedPings++;
        if (!closing()) {
            ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
        }
    }

    /** Closes with {@code reason} through the {@link WebSocketCloser}. On the loop. */
    void close(CloseReason reason) {
        if (session != null) {
            session.close(reason);
        } else {
            context.closer().close(ctx.channel(), reason);
        }
    }

    private boolean closing() {
        return session != null && session.closing();
    }

    /** The socket buffer drained below its low water mark: what waited for it goes out. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (session != null && ctx.channel().isWritable()) {
            session.writePending();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (session != null) {
            session.discardPending();
            context.loops().of(ctx.channel().eventLoop()).sockets().remove(this);
            context.hub().disconnect(session);
            logClosed(session);
            session = null;
        }
        super.channelInactive(ctx);
    }

    /** Every session's end at DEBUG, with who closed it and the code ({@link WebSocketCloser#howClosed}). */
    private void logClosed(ChannelSession closed) {
        if (log.isDebugEnabled()) {
            log.debug("{} closed: {}", closed, context.closer().howClosed(ctx.channel()));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        CloseReason reason = context.closer().reasonAfter(ctx.channel(), cause);
        if (reason != null) {
            close(reason);
        } else {
            ctx.close();
        }
    }
}
