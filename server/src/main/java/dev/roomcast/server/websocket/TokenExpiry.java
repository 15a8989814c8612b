package dev.roomcast.server.websocket;

import dev.roomcast.hub.CloseReason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a token-authenticated WebSocket with 1008 token expired when its token expires, unless
 * the client refreshed it first ({@link #extendTo}). Installed at the upgrade for connections
 * whose principal expires, and armed from then. One instance per connection, confined to its event loop.
 */
public final class TokenExpiry extends ChannelInboundHandlerAdapter {

    private final Clock clock;
    private Instant expiresAt;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;

    public TokenExpiry(Instant expiresAt, Clock clock) {
        this.expiresAt = expiresAt;
        this.clock = clock;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        arm();
    }

    /** Moves the expiry to that of a refreshed token. On the channel's event loop. */
    void extendTo(Instant newExpiry) {
        assert ctx.executor().inEventLoop() : "token expiry changed off its loop";
        expiresAt = newExpiry;
        arm();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void arm() {
        cancel();
        long delay = Math.max(0, Duration.between(clock.instant(), expiresAt).toMillis());
        timer = ctx.executor().schedule(this::expire, delay, TimeUnit.MILLISECONDS);
    }

    private void expire() {
        ctx.pipeline().get(WebSocketEndpoint.class).close(CloseReason.TOKEN_EXPIRED);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
