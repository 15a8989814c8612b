package dev.roomcast.server;

import dev.roomcast.hub.CloseReason;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The open WebSocket connections of this node, for draining, and the one way Roomcast closes a
 * WebSocket. Thread-safe.
 */
final class Connections {

    /** How long a closing socket may take to take its close frame before it is cut. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

    private final ChannelGroup webSockets = new DefaultChannelGroup("websockets", GlobalEventExecutor.INSTANCE);
    private volatile boolean draining;

    /** Tracks an upgraded channel until it closes. */
    void add(Channel channel) {
        webSockets.add(channel);
    }

    int count() {
        return webSockets.size();
    }

    boolean draining() {
        return draining;
    }

    /** Refuses new upgrades from now on and closes every WebSocket with 1001 going away. */
    void startDrain() {
        draining = true;
        for (Channel channel : webSockets) {
            close(channel, CloseReason.GOING_AWAY);
        }
    }

    /**
     * Sends the close frame behind whatever is queued, then closes the socket once it is written,
     * or after {@link #CLOSE_GRACE} if the client does not take it. Any thread.
     */
    static void close(Channel channel, CloseReason reason) {
        if (!channel.isActive()) {
            return;
        }
        channel.writeAndFlush(new CloseWebSocketFrame(reason.code(), reason.text()))
                .addListener(ChannelFutureListener.CLOSE);
        ScheduledFuture<?> cut = channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        // Most sockets close at once; without this a drain of N sockets keeps N timers for the grace period.
        channel.closeFuture().addListener(closed -> cut.cancel(false));
    }
}
