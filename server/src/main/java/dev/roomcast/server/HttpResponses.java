package dev.roomcast.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Writes complete HTTP responses, keeping the connection alive when the request allows it. Stateless. */
final class HttpResponses {

    static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    static final String JSON = "application/json";

    private HttpResponses() {
    }

    /** A one-line plain-text answer: the reason for an error, or a short status. */
    static void text(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String line) {
        send(ctx, request, textResponse(status, line));
    }

    /** A one-line plain-text response, for callers that add headers before sending it. */
    static FullHttpResponse textResponse(HttpResponseStatus status, String line) {
        return response(status, TEXT_PLAIN, Unpooled.wrappedBuffer((line + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    static void send(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status,
                     String contentType, byte[] body) {
        send(ctx, request, status, contentType, Unpooled.wrappedBuffer(body));
    }

    /** Takes ownership of {@code body}. */
    static void send(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status,
                     String contentType, ByteBuf body) {
        send(ctx, request, response(status, contentType, body));
    }

    /** Takes ownership of {@code body}. */
    private static FullHttpResponse response(HttpResponseStatus status, String contentType, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        return response;
    }

    /** Takes ownership of {@code response}. */
    static void send(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response) {
        send(ctx, HttpUtil.isKeepAlive(request), response);
    }

    /**
     * Takes ownership of {@code response}; {@code requestKeepAlive} is whether the request allowed
     * keeping the connection, for answers written after the request was released.
     */
    static void send(ChannelHandlerContext ctx, boolean requestKeepAlive, FullHttpResponse response) {
        boolean keepAlive = requestKeepAlive && response.status().code() < 500;
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
