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
 * or a zero one, no {@code Transfer-Encoding}, no {@code Expect}) is handed on at once as a
 * {@link FullHttpRequest} with an empty body and the decoder's own headers. That is every WebSocket handshake
 * and every GET: aggregating them cost a composite buffer, a wrapper and a {@code Content-Length} header each
 * (issue 19: the connection rate). At the upgrade, {@link WebSocketUpgrade} puts the UTF-8 check in its place.
 *
 * <p>Threading: one instance per connection, confined to its event loop.
 */
final class RequestBodyAggregator extends HttpObjectAggregator {

    /**
     * Whether the decoder's end-of-request marker for a request handed on whole is still to come: Netty's
     * decoder follows a request without a body with {@link LastHttpContent#EMPTY_LAST_CONTENT}.
     */
    private boolean endMarkerDue;

    RequestBodyAggregator(int maxContentBytes) {
        super(maxContentBytes);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (endMarkerDue) {
            endMarkerDue = false;
            if (msg == LastHttpContent.EMPTY_LAST_CONTENT) {
                return;
            }
        }
        if (msg instanceof HttpRequest request && !(msg instanceof FullHttpRequest) && hasNoBody(request)) {
            endMarkerDue = true;
            FullHttpRequest whole = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                    request.uri(), Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE);
            ctx.fireChannelRead(whole);
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
