package dev.roomcast.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Netty's HTTP aggregator for requests that have a body; a request that has none (no {@code Content-Length}
 * or a zero one, no {@code Transfer-Encoding}, no {@code Expect}) is handed on, as soon as the decoder marks its end,
 * as a {@link FullHttpRequest} with an empty body and the decoder's own headers. That is every WebSocket handshake
 * and every GET: aggregating them cost a composite buffer, a wrapper and a {@code Content-Length} header each
 * (issue 19: the connection rate). At the upgrade, {@link WebSocketUpgrade} puts the UTF-8 check in its place.
 *
 * <p>Threading: one instance per connection, confined to its event loop.
 */
final class RequestBodyAggregator extends HttpObjectAggregator {

    /**
     * A request without a body, waiting for the decoder's end-of-request marker, which Netty's decoder sends
     * right behind it ({@link LastHttpContent#EMPTY_LAST_CONTENT}); null otherwise. It is handed on with the
     * marker, not before: once the request may have turned the connection into a WebSocket, nothing of the HTTP
     * request must be left to follow it into the WebSocket pipeline.
     */
    private FullHttpRequest waitingForItsEnd;

    RequestBodyAggregator(int maxContentBytes) {
        super(maxContentBytes);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (waitingForItsEnd != null) {
            FullHttpRequest whole = waitingForItsEnd;
            waitingForItsEnd = null;
            ctx.fireChannelRead(whole);
            if (msg == LastHttpContent.EMPTY_LAST_CONTENT) {
                return;
            }
        }
        if (msg instanceof HttpRequest request && !(msg instanceof FullHttpRequest) && hasNoBody(request)) {
            waitingForItsEnd = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                    request.uri(), Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE);
            return;
        }
        super.channelRead(ctx, msg);
    }

    /** A request Netty's decoder parsed that announces no body and asks for no {@code 100 Continue}. */
    private static boolean hasNoBody(HttpRequest request) {
        return request.decoderResult().isSuccess()
                && !request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                && !request.headers().contains(HttpHeaderNames.EXPECT)
                && HttpUtil.getContentLength(request, 0L) == 0L;
    }
}
