package dev.roomcast.server;

import dev.roomcast.server.websocket.ServerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;

/**
 * The pipeline of a new connection, in its HTTP state. The pipeline is assembled in three places,
 * so that an idle socket carries only what its state needs: this initializer builds the HTTP
 * state; at the handshake {@link WebSocketUpgrade} swaps it for the WebSocket state, handler for
 * handler (the request deadline goes and the endpoint replaces the router; once the 101 is written,
 * Netty's frame encoder replaces the codec, and the UTF-8 check, with Netty's frame decoder behind it,
 * the aggregator); and the endpoint adds Netty's permessage-deflate decoder at the first
 * compressed message and Netty's aggregator at the first fragmented one (as {@code WebSocketCloser}
 * adds its handler for a closing handshake). Read top to bottom, as
 * bytes arrive from the socket; writes travel upwards from the handler that makes them:
 *
 * <pre>
 *             HTTP state: built here                       WebSocket state: WebSocketUpgrade
 *
 *         socket in |        ^ socket out                    socket in |        ^ socket out
 *                   v        |                                         v        |
 * +--------------------------------------------+     +--------------------------------------------+
 * | tls              SslHandler                |     | tls              SslHandler                |  if TLS is on
 * +--------------------------------------------+     +--------------------------------------------+
 * | http-codec       HttpServerCodec           |     | wsencoder        WebSocket13FrameEncoder   |  outbound
 * +--------------------------------------------+     +--------------------------------------------+
 * | http-aggregator  RequestBodyAggregator     |     | ws-utf8          Utf8StreamValidator       |  inbound
 * +--------------------------------------------+     +--------------------------------------------+
 * | request-deadline RequestDeadline           |     | wsdecoder        WebSocket13FrameDecoder   |  inbound
 * +--------------------------------------------+     +--------------------------------------------+
 * | router           HttpRouter                | ==> | ws-closing       ClosingHandshake          |  while closing
 * +--------------------------------------------+     +--------------------------------------------+
 *                                                    | token-expiry     TokenExpiry               |  if the token expires
 *                                                    +--------------------------------------------+
 *                                                    | ws-inflater      PerMessageDeflateDecoder  |  once compressed
 *                                                    +--------------------------------------------+
 *                                                    | ws-aggregator    WebSocketFrameAggregator  |  once fragmented
 *                                                    +--------------------------------------------+
 *                                                    | endpoint         (Text|Json)Endpoint       |
 *                                                    +--------------------------------------------+
 * </pre>
 *
 * <p>Not Netty's {@code ChannelInitializer}: this handler gives its own place to the first handler of the HTTP
 * state instead of adding them all and then removing itself, one pipeline change fewer per connection, and it keeps
 * no set of the channels being initialized (issue 19: the connection rate).
 *
 * <p>Shared by every connection of a port; {@link #handlerAdded} runs on the new channel's loop once the channel
 * is registered.
 */
@ChannelHandler.Sharable
final class ConnectionInitializer extends ChannelHandlerAdapter {

    /** Request headers beyond this are refused (431), like most servers. */
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final ServerContext context;
    private final HttpRouter router;
    /** Null when the port serves plain http/ws. */
    private final SslContext tls;
    /** The node's open sockets, which its stop closes before the loops stop. */
    private final ChannelGroup accepted;

    ConnectionInitializer(ServerContext context, StaticPage page, SslContext tls, ChannelGroup accepted) {
        this.context = context;
        this.router = new HttpRouter(context, page);
        this.tls = tls;
        this.accepted = accepted;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        accepted.add(channel);
        ChannelPipeline pipeline = ctx.pipeline();
        HttpServerCodec codec = new HttpServerCodec(4096, MAX_HEADER_BYTES, 8192);
        if (tls != null) {
            pipeline.replace(this, "tls", tls.newHandler(channel.alloc()));
            pipeline.addLast("http-codec", codec);
        } else {
            pipeline.replace(this, "http-codec", codec);
        }
        pipeline.addLast("http-aggregator", new RequestBodyAggregator(context.config().limits().maxMessageBytes() + 4096));
        pipeline.addLast("request-deadline", new RequestDeadline(context.config().network().handshakeTimeout()));
        pipeline.addLast("router", router);
    }
}
