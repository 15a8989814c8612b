package dev.roomcast.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The pipeline of a new connection, in wire order. After a WebSocket upgrade Netty replaces the
 * HTTP handlers, so an idle WebSocket keeps only the frame codec, the protocol handler and its
 * endpoint.
 */
final class ConnectionInitializer extends ChannelInitializer<SocketChannel> {

    /** Request headers beyond this are refused (431), like most servers. */
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final ServerContext context;
    private final HttpRouter router;

    ConnectionInitializer(ServerContext context) {
        this.context = context;
        this.router = new HttpRouter(context);
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("http-codec", new HttpServerCodec(4096, MAX_HEADER_BYTES, 8192));
        pipeline.addLast("http-aggregator", new HttpObjectAggregator(context.config().maxMessageBytes() + 4096));
        pipeline.addLast("router", router);
    }
}
