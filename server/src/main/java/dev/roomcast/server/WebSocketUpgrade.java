package dev.roomcast.server;

import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.security.Principal;
import dev.roomcast.server.frame.FrameCompression;
import dev.roomcast.server.websocket.DeflateNegotiation;
import dev.roomcast.server.websocket.TokenExpiry;
import dev.roomcast.server.websocket.Utf8StreamValidator;
import dev.roomcast.server.websocket.WebSocketEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import java.time.Clock;

/**
 * Turns an admitted HTTP request into a WebSocket: Netty's RFC 6455 handshake (with permessage-deflate
 * when some rooms compress and the client offers it, {@link DeflateNegotiation}), then the pipeline
 * an open WebSocket keeps, in wire order: TLS when on, the {@link Utf8StreamValidator}, Netty's frame
 * decoder and encoder, the token expiry for connections with a token, and the endpoint. Pings, pongs, the
 * closing handshake and (at the first fragment) Netty's aggregator for fragmented messages are the
 * endpoint's business, and the heartbeat is the loop's ({@code websocket.LoopSockets}), so an idle socket
 * carries no protocol handler, no handshaker, no channel attribute and no timer. Stateless, shared
 * by every connection.
 */
final class WebSocketUpgrade {

    private final WebSocketDecoderConfig decoderConfig;
    /** For connections that negotiated permessage-deflate: reserved bits reach the endpoint, which judges them. */
    private final WebSocketDecoderConfig deflateDecoderConfig;
    /** Null when no room compresses: extension offers are then ignored, as RFC 6455 lets a server do. */
    private final DeflateNegotiation deflate;

    WebSocketUpgrade(RoomcastConfig config) {
        WebSocketDecoderConfig.Builder decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(config.limits().maxMessageBytes())
                .allowExtensions(false)
                // The decoder reports violations as exceptions and the WebSocketCloser answers them, with
                // the documented phrases and a closing handshake instead of an abrupt close.
                .closeOnProtocolViolation(false);
        this.decoderConfig = decoder.build();
        this.deflateDecoderConfig = decoder.allowExtensions(true).build();
        this.deflate = FrameCompression.offered(config) ? new DeflateNegotiation(config.limits().maxMessageBytes()) : null;
    }

    /**
     * Answers the handshake of {@code request}, which the router has checked (GET, {@code Upgrade:
     * websocket}, {@code Connection: Upgrade}, version 13, a key) and the gate has admitted, and
     * puts {@code endpoint} in place of the router's context {@code router}. The 101 goes out once the
     * endpoint is ready for its first frame (a text endpoint has joined its room), and the endpoint
     * opens once it is written. Does not take ownership of {@code request}.
     */
    void upgrade(ChannelHandlerContext router, FullHttpRequest request, Principal principal,
                 WebSocketEndpoint endpoint) {
        ChannelPipeline pipeline = router.pipeline();
        pipeline.remove(RequestDeadline.class);
        // In place before the handshake, so that no frame can arrive with nobody to take it.
        pipeline.replace(router.handler(), "endpoint", endpoint);
        if (principal.expiresAt() != null) {
            pipeline.addBefore("endpoint", "token-expiry", new TokenExpiry(principal.expiresAt(), Clock.systemUTC()));
        }
        // The handshake may be answered after this returns, once the router has released the request: keep
        // what it needs, not the request. The headers are shared, not copied: they hold no buffer, and nothing
        // changes them after the decoder hands the request on. The empty body comes from the channel's
        // allocator because Netty's handshaker allocates its 101's body from the request body's allocator,
        // which for Unpooled.EMPTY_BUFFER is the unpooled one (a fresh direct ByteBuffer for every handshake).
        Channel channel = router.channel();
        FullHttpRequest handshakeRequest = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                request.uri(), channel.alloc().buffer(0, 0), request.headers(), EmptyHttpHeaders.INSTANCE);
        DeflateNegotiation.Accepted deflated = deflate == null ? null : deflate.negotiate(request.headers());
        HttpHeaders responseHeaders = deflated == null ? null
                : new DefaultHttpHeaders().set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, deflated.responseHeader());
        endpoint.prepare(deflated, () -> {
            if (channel.isActive()) {
                answer(pipeline, handshakeRequest, responseHeaders, deflated == null ? decoderConfig : deflateDecoderConfig)
                        .addListener((ChannelFuture handshake) -> {
                            if (handshake.isSuccess()) {
                                endpoint.handshakeCompleted();
                            } else {
                                handshake.channel().close();
                            }
                        });
            }
        });
    }

    /**
     * Writes Netty's 101 for {@code request} through the HTTP codec, then puts the WebSocket state in the HTTP
     * state's place in three pipeline changes: Netty's frame encoder replaces the codec, the UTF-8 check the
     * aggregator, and Netty's frame decoder goes behind it. Netty's own {@code handshake} and our UTF-8 check took
     * five (removing the aggregator, adding the encoder and the decoder, the check, and removing the codec once the
     * 101 was written). The 101 is encoded by the time {@code writeAndFlush} returns on the loop, so the codec can go
     * at once; it goes last, so that input its decoder still holds when it is removed is passed to the frame
     * decoder, not to the HTTP handlers.
     */
    private static ChannelFuture answer(ChannelPipeline pipeline, FullHttpRequest request, HttpHeaders responseHeaders,
                                        WebSocketDecoderConfig decoderConfig) {
        Handshaker handshaker = new Handshaker(request.uri(), decoderConfig);
        ChannelFuture written = pipeline.channel().writeAndFlush(handshaker.response(request, responseHeaders));
        pipeline.replace(RequestBodyAggregator.class, "ws-utf8", new Utf8StreamValidator());
        pipeline.addAfter("ws-utf8", "wsdecoder", handshaker.decoder());
        pipeline.replace(HttpServerCodec.class, "wsencoder", handshaker.encoder());
        return written;
    }

    /**
     * Netty's RFC 6455 handshaker, used for its 101 (key digest, headers) and its frame codec, with a frame
     * decoder that leaves the judging of Close frames to us.
     */
    private static final class Handshaker extends WebSocketServerHandshaker13 {

        Handshaker(String uri, WebSocketDecoderConfig decoderConfig) {
            super(uri, null, decoderConfig);
        }

        /** The 101 answering {@code request}, with {@code headers} (or null) added. */
        FullHttpResponse response(FullHttpRequest request, HttpHeaders headers) {
            return newHandshakeResponse(request, headers);
        }

        WebSocketFrameEncoder encoder() {
            return newWebSocketEncoder();
        }

        WebSocketFrameDecoder decoder() {
            return newWebsocketDecoder();
        }

        @Override
        protected WebSocketFrameDecoder newWebsocketDecoder() {
            return new WebSocket13FrameDecoder(decoderConfig()) {
                /**
                 * Passes every Close frame on: {@code WebSocketCloser.peerClosed} holds the one rule for
                 * its code and reason. Netty's own check lets codes such as 5000 through and answers
                 * others with no Close frame at all.
                 */
                @Override
                protected void checkCloseFrameBody(ChannelHandlerContext ctx, ByteBuf buffer) {
                }
            };
        }
    }
}
