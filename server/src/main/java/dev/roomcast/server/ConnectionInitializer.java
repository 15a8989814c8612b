package dev.roomcast.server;

import dev.roomcast.server.websocket.ServerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;

/**
 * The pipeline of a new connection, in wire order: TLS when configured, HTTP, the slowloris
 * deadline, the router. A WebSocket upgrade ({@link WebSocketUpgrade}) replaces all but TLS, so an
 * idle WebSocket keeps only TLS, Netty's frame decoder, encoder and UTF-8 validator, and its endpoint.
 */
final class ConnectionInitializer extends ChannelInitializer<Channel> {

    /** Request headers beyond this are refused (431), like most servers. */
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final ServerContext context;
    private final HttpRouter router;
    /** Null when the port serves plain http/ws. */
    private final SslContext tls;

    ConnectionInitializer(ServerContext context, StaticPage page, SslContext tls) {
        this.context = context;
        this.router = new HttpRouter(context, page);
        this.tls = tls;
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (tls != null) {
            pipeline.addLast("tls", tls.newHandler(channel.alloc()));
        }
        pipeline.addLast("http-codec", new HttpServerCodec(4096, MAX_HEADER_BYTES, 8192));
        pipeline.addLast("http-aggregator", new HttpObjectAggregator(context.config().limits().maxMessageBytes() + 4096));
        pipeline.addLast("request-deadline", new RequestDeadline(context.config().network().handshakeTimeout()));
        pipeline.addLast("router", router);
    }
}
