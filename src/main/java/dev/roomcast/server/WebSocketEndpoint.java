package dev.roomcast.server;

import dev.roomcast.hub.CloseReason;
import dev.roomcast.protocol.WireFormat;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * The life of a session that both WebSocket endpoints share, one instance per connection,
 * confined to the channel's event loop: the session opens when the handshake completes and leaves
 * the hub when the channel closes; binary frames close with 1003; exceptions become close codes.
 * Subclasses handle only text messages and what opening means to their protocol.
 */
abstract class WebSocketEndpoint extends SimpleChannelInboundHandler<WebSocketFrame> {

    protected final ServerContext context;
    private final String user;
    private final WireFormat format;
    /** Null until the handshake completes and again once the channel has closed. */
    protected ChannelSession session;

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
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            context.connections().add(ctx.channel());
            session = context.newSession(ctx.channel(), user, format);
            opened(ctx);
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (!(frame instanceof TextWebSocketFrame text)) {
            Connections.close(ctx.channel(), CloseReason.UNSUPPORTED_DATA);
            return;
        }
        if (session != null) {
            received(ctx, text.text());
        }
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
