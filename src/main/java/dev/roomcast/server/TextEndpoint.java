package dev.roomcast.server;

import dev.roomcast.hub.CloseReason;
import dev.roomcast.hub.Hub;
import dev.roomcast.protocol.SeedText;
import dev.roomcast.protocol.WireFormat;
import dev.roomcast.security.Principal;
import dev.roomcast.security.RateLimiter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tutorial's plain-text endpoints, one instance per connection: {@code /echo} answers the
 * sender; {@code /ws} and {@code /ws/{room}} broadcast through the hub with the seed's strings.
 * Runs on the channel's event loop only.
 */
final class TextEndpoint extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final Logger log = LoggerFactory.getLogger(TextEndpoint.class);

    /** The room this connection chats in, or null for {@code /echo}. */
    private final String room;
    private final Principal principal;
    private final ServerContext context;
    private final RateLimiter limiter;
    private ChannelSession session;

    /** An endpoint for {@code /echo} when {@code room} is null, else for the room. */
    TextEndpoint(String room, Principal principal, ServerContext context) {
        this.room = room;
        this.principal = principal;
        this.context = context;
        this.limiter = context.newRateLimiter();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            context.connections().add(ctx.channel());
            // /echo has a session too, though in no room: its replies obey the same outbound bound.
            session = context.newSession(ctx.channel(), principal.user(), WireFormat.SEED_TEXT);
            if (room != null) {
                context.hub().join(session, room);
            }
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (!(frame instanceof TextWebSocketFrame text)) {
            Connections.close(ctx.channel(), CloseReason.UNSUPPORTED_DATA);
            return;
        }
        if (!withinRateLimit(ctx)) {
            return;
        }
        if (room == null) {
            session.send(SeedText.echo(text.text()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (session != null) {
            Hub hub = context.hub();
            hub.publish(room, session.user(), text.text()).exceptionally(failure -> {
                log.warn("{}: publish to {} failed: {}", session, room, failure.toString());
                return null;
            });
        }
    }

    /**
     * Takes a token for one message. Over the limit the message is dropped; a client that keeps
     * flooding (see {@link RateLimiter}) is closed with 1008, since plain text has no way to say
     * "slow down".
     */
    private boolean withinRateLimit(ChannelHandlerContext ctx) {
        RateLimiter.Verdict verdict = limiter.tryAcquire();
        if (verdict == RateLimiter.Verdict.ACCEPT) {
            context.metrics().messageIn();
            return true;
        }
        context.metrics().rateLimited();
        if (verdict == RateLimiter.Verdict.FLOODING) {
            Connections.close(ctx.channel(), CloseReason.RATE_LIMITED);
        }
        return false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (session != null) {
            context.hub().disconnect(session);
            session = null;
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        context.closeOnException(ctx, cause);
    }
}
