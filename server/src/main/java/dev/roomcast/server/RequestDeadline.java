package dev.roomcast.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The slowloris guard: closes a connection that has not delivered a complete HTTP request
 * within the handshake timeout of connecting or of the answer to its previous request, so a
 * client dribbling a header byte at a time, or parking an idle keep-alive connection, cannot hold
 * a socket. While a request is being answered the clock does not run: the wait is the server's
 * (a publish waiting out the broker's timeout), not the client's. Sits behind the HTTP aggregator;
 * the upgrade removes it when the connection becomes a WebSocket. One timer per connection at a
 * time: a request or an answer moves the deadline, and the timer, when it fires early, waits out
 * the rest, so the request that ends the HTTP state (the upgrade) costs no timer of its own. One
 * instance per connection, confined to its event loop.
 */
final class RequestDeadline extends ChannelDuplexHandler {

    private final long timeoutNanos;
    /** {@link System#nanoTime()} at which the connection is closed unless a request arrives first. */
    private long dueAt;
    /** Null while no timer is pending. */
    private ScheduledFuture<?> timer;
    /** Requests read and not yet answered in full (more than one only when a client pipelines). */
    private int unanswered;

    RequestDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest) {
            unanswered++;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && unanswered > 0 && --unanswered == 0) {
            arm(ctx);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx) {
        dueAt = System.nanoTime() + timeoutNanos;
        if (timer == null) {
            schedule(ctx, timeoutNanos);
        }
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> expire(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (unanswered > 0) {
            return; // the answer arms it again
        }
        long left = dueAt - System.nanoTime();
        if (left > 0) {
            schedule(ctx, left);
        } else {
            ctx.close();
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
