package dev.roomcast.server;

import dev.roomcast.hub.CloseReason;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The open WebSocket connections of this node, kept per event loop ({@link LoopSockets}) for
 * heartbeats and draining, and the one way Roomcast closes a WebSocket. Thread-safe: the map of
 * loops is fixed at construction, each {@link LoopSockets} is confined to its loop.
 */
final class Connections {

    /** How long a closing socket may take to take its close frame before it is cut. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(10);
    /**
     * The same for a slow consumer, whose close frame waits behind everything it did not read: a client
     * that resumes reading within this still learns why it was closed. It holds at most its outbound
     * bound meanwhile.
     */
    static final Duration SLOW_CONSUMER_GRACE = Duration.ofSeconds(60);

    private final Map<EventExecutor, LoopSockets> byLoop = new IdentityHashMap<>();
    private final List<LoopSockets> all = new ArrayList<>();
    private volatile boolean draining;

    /** One {@link LoopSockets} per event loop of {@code workers}. */
    Connections(Iterable<? extends EventExecutor> workers, Duration pingInterval, int maxMissedPongs) {
        for (EventExecutor loop : workers) {
            LoopSockets sockets = new LoopSockets(loop, pingInterval, maxMissedPongs);
            byLoop.put(loop, sockets);
            all.add(sockets);
        }
    }

    /** The WebSockets of a channel's event loop. */
    LoopSockets of(EventExecutor loop) {
        LoopSockets sockets = byLoop.get(loop);
        if (sockets == null) {
            throw new IllegalStateException("channel registered on an event loop outside the worker group");
        }
        return sockets;
    }

    /** Open WebSockets. Any thread. */
    int count() {
        int count = 0;
        for (LoopSockets sockets : all) {
            count += sockets.count();
        }
        return count;
    }

    boolean draining() {
        return draining;
    }

    /** Refuses new upgrades from now on and closes every WebSocket with 1001 going away. */
    void startDrain() {
        draining = true;
        for (LoopSockets sockets : all) {
            sockets.closeAll(CloseReason.GOING_AWAY);
        }
    }

    /**
     * Sends the close frame behind whatever is queued, then closes the socket once it is written,
     * or after {@link #CLOSE_GRACE} ({@link #SLOW_CONSUMER_GRACE} for a slow consumer) if the client
     * does not take it. Any thread.
     */
    static void close(Channel channel, CloseReason reason) {
        if (!channel.isActive()) {
            return;
        }
        channel.writeAndFlush(new CloseWebSocketFrame(reason.code(), reason.text()))
                .addListener(ChannelFutureListener.CLOSE);
        ScheduledFuture<?> cut = channel.eventLoop().schedule(() -> {
            channel.close();
        }, (reason == CloseReason.SLOW_CONSUMER ? SLOW_CONSUMER_GRACE : CLOSE_GRACE).toMillis(), TimeUnit.MILLISECONDS);
        // Most sockets close at once; without this a drain of N sockets keeps N timers for the grace period.
        channel.closeFuture().addListener(closed -> cut.cancel(false));
    }
}
