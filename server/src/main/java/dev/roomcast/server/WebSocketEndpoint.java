package dev.roomcast.server;

import dev.roomcast.hub.CloseReason;
import dev.roomcast.protocol.WireFormat;
import dev.roomcast.security.RateLimiter;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a session that both WebSocket endpoints share, one instance per connection,
 * confined to the channel's event loop: the session opens when the handshake completes and leaves
 * the hub when the channel closes; fragmented messages are joined by Netty's aggregator, put in
 * front of the endpoint at the first fragment; pings are answered, the client's close frame is echoed (RFC
 * 6455 section 5.5.1) and the loop's heartbeat ({@link LoopSockets}) pings through here; binary
 * frames close with 1003; exceptions become close codes. Subclasses handle only text messages and
 * what opening means to their protocol.
 */
abstract class WebSocketEndpoint extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);

    protected final ServerContext context;
    private final String user;
    private final WireFormat format;
    private ChannelHandlerContext ctx;
    /** Null until the handshake completes and again once the channel has closed. */
    protected ChannelSession session;
    /** Made at the first message: most idle sockets never need one. */
    private RateLimiter limiter;
    /** Pings sent since the client last sent a frame of any kind. */
    private int missedPings;
    /** The status code of the client's close frame, for the log; -1 until one arrives. */
    private int clientCloseCode = -1;
    /** This endpoint's place in its {@link LoopSockets}: the slot, -1 while not in one, and the index in it. */
    int wheelSlot = -1;
    int wheelIndex;

    WebSocketEndpoint(ServerContext context, String user, WireFormat format) {
        this.context = context;
        this.user = user;
        this.format = format;
    }

    /** The handshake completed and {@link #session} exists. */
    protected abstract void opened(ChannelHandlerContext ctx);

    /** A complete text message from the client (fragments already joined). */
    protected abstract void received(ChannelHandlerContext ctx, String text);

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** The handshake response has been written: opens the session and joins the loop's heartbeat. */
    void handshakeCompleted() {
        session = context.newSession(ctx.channel(), user, format);
        log.debug("{} opened", session);
        context.connections().of(ctx.executor()).add(this);
        opened(ctx);
        if (context.connections().draining()) {
            // The drain swept this loop before this socket joined it.
            close(CloseReason.GOING_AWAY);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) throws Exception {
        missedPings = 0;
        if (frame instanceof TextWebSocketFrame text) {
            if (!text.isFinalFragment()) {
                startAggregating(ctx, text);
            } else if (session != null) {
                received(ctx, text.text());
            }
        } else if (frame instanceof PingWebSocketFrame) {
            if (!closing()) {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
            }
        } else if (frame instanceof CloseWebSocketFrame) {
            closeRequested(ctx, frame);
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
        WebSocketFrameAggregator aggregator = new WebSocketFrameAggregator(context.config().maxMessageBytes());
        ctx.pipeline().addBefore(ctx.name(), "ws-aggregator", aggregator);
        aggregator.channelRead(ctx.pipeline().context(aggregator), first.retain());
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

    /** Closes with {@code reason}: the close frame goes out behind what is queued. On the loop. */
    void close(CloseReason reason) {
        if (session != null) {
            session.close(reason);
        } else {
            Connections.close(ctx.channel(), reason);
        }
    }

    /** The client's close frame: echoed unless ours went out first, which completes the closing handshake. */
    private void closeRequested(ChannelHandlerContext ctx, WebSocketFrame close) {
        clientCloseCode = ((CloseWebSocketFrame) close).statusCode();
        if (session == null || session.beginClose()) {
            ctx.writeAndFlush(close.retain()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    private boolean closing() {
        return session != null && session.closing();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (session != null) {
            context.connections().of(ctx.executor()).remove(this);
            context.hub().disconnect(session);
            logClosed(session);
            session = null;
        }
        super.channelInactive(ctx);
    }

    /**
     * A close by this server is counted per reason for the periodic INFO summary (a drain has its own
     * line); every close is logged at DEBUG with its code.
     */
    private void logClosed(ChannelSession closed) {
        CloseReason reason = closed.closedWith();
        if (reason != null && reason != CloseReason.GOING_AWAY) {
            context.notices().count("connections closed with " + reason.code() + " " + reason.text());
        }
        if (log.isDebugEnabled()) {
            log.debug("{} closed: {}", closed, reason != null ? reason.code() + " " + reason.text() + " by the server"
                    : clientCloseCode >= 0 ? clientCloseCode + " by the client" : "the connection dropped without a close frame");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        CloseReason reason = context.closeReasonFor(ctx.channel(), cause);
        if (reason != null) {
            close(reason);
        } else {
            ctx.close();
        }
    }
}
