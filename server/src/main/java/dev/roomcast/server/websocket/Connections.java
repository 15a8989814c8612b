package dev.roomcast.server.websocket;

import dev.roomcast.hub.CloseReason;

/**
 * The open WebSocket connections of this node as a whole: how many there are, and the drain that
 * refuses new ones and closes them all. Each loop keeps its own ({@link NettyLoops.NettyLoop#sockets()}).
 * Thread-safe: the loops are fixed at construction, each {@link LoopSockets} is confined to its loop,
 * and the drain flag is volatile.
 */
public final class Connections {

    private final NettyLoops loops;
    private volatile boolean draining;

    public Connections(NettyLoops loops) {
        this.loops = loops;
    }

    /** Open WebSockets. Any thread. */
    public int count() {
        int count = 0;
        for (NettyLoops.NettyLoop loop : loops.all()) {
            count += loop.sockets().count();
        }
        return count;
    }

    public boolean draining() {
        return draining;
    }

    /** Refuses new upgrades from now on and closes every WebSocket with 1001 going away. */
    public void startDrain() {
        draining = true;
        for (NettyLoops.NettyLoop loop : loops.all()) {
            loop.sockets().closeAll(CloseReason.GOING_AWAY);
        }
    }
}
