package dev.roomcast.server;

import dev.roomcast.hub.CloseReason;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The open WebSocket connections of this node, kept per event loop ({@link LoopSockets}) for
 * heartbeats and draining ({@link WebSocketCloser} closes them). Thread-safe: the map of loops is
 * fixed at construction, each {@link LoopSockets} is confined to its loop.
 */
final class Connections {

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
}
