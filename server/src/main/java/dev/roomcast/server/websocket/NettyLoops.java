package dev.roomcast.server.websocket;

import dev.roomcast.hub.Loop;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The event loops of the worker group, each with what belongs to it: presented to the hub as a
 * {@link Loop} (the single place where the hub's threads and Netty's meet), and holding the loop's
 * open WebSockets ({@link LoopSockets}). The one per-loop registry. Immutable after construction.
 */
public final class NettyLoops {

    /** One Netty event loop seen as a hub loop, with its open WebSockets. */
    record NettyLoop(int index, EventLoop eventLoop, LoopSockets sockets) implements Loop {
        @Override
        public void execute(Runnable task) {
            eventLoop.execute(task);
        }

        @Override
        public boolean inLoop() {
            return eventLoop.inEventLoop();
        }
    }

    private final List<NettyLoop> all = new ArrayList<>();
    private final Map<EventExecutor, NettyLoop> byEventLoop = new IdentityHashMap<>();

    /** One {@link NettyLoop} per event loop of {@code workers}, pinging its WebSockets as configured. */
    public NettyLoops(Iterable<? extends EventExecutor> workers, Duration pingInterval, int maxMissedPongs) {
        for (EventExecutor executor : workers) {
            NettyLoop loop = new NettyLoop(all.size(), (EventLoop) executor,
                    new LoopSockets(executor, pingInterval, maxMissedPongs));
            all.add(loop);
            byEventLoop.put(executor, loop);
        }
    }

    public List<NettyLoop> all() {
        return all;
    }

    /** The loop of a channel's event loop. */
    NettyLoop of(EventLoop eventLoop) {
        NettyLoop loop = byEventLoop.get(eventLoop);
        if (loop == null) {
            throw new IllegalStateException("channel registered on an event loop outside the worker group");
        }
        return loop;
    }
}
