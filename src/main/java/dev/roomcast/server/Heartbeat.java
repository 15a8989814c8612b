package dev.roomcast.server;

import dev.roomcast.hub.CloseReason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Server pings for one WebSocket: a ping every interval once the handshake is done; a client that
 * leaves {@code maxMissed} pings in a row unanswered (no pong and no other frame in between) is
 * closed with 1001 ping timeout, so dead peers behind NATs and proxies do not hold sockets
 * forever. Consumes pongs (the protocol handler passes them on because it is configured not to
 * drop them). One instance per connection, confined to its event loop.
 */
final class Heartbeat extends ChannelInboundHandlerAdapter {

    private final long intervalNanos;
    private final int maxMissed;
    private ScheduledFuture<?> ticker;
    private int missed;

    Heartbeat(Duration interval, int maxMissed) {
        this.intervalNanos = interval.toNanos();
        this.maxMissed = maxMissed;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            ticker = ctx.executor().scheduleAtFixedRate(() -> tick(ctx), intervalNanos, intervalNanos,
                    TimeUnit.NANOSECONDS);
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        missed = 0;
        if (msg instanceof PongWebSocketFrame pong) {
            pong.release();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void tick(ChannelHandlerContext ctx) {
        if (missed >= maxMissed) {
            stop();
            Connections.close(ctx.channel(), CloseReason.PING_TIMEOUT);
            return;
        }
        missed++;
        ctx.writeAndFlush(new PingWebSocketFrame());
    }

    private void stop() {
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
    }
}
