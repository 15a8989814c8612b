package dev.roomcast.server;

import dev.roomcast.hub.Loop;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Presents each event loop of the worker group to the hub as a {@link Loop}: the single place
 * where the hub's threads and Netty's meet. Immutable after construction.
 */
final class NettyLoops {

    /** One Netty event loop seen as a hub loop. */
    record NettyLoop(int index, EventLoop eventLoop) implements Loop {
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

    NettyLoops(EventLoopGroup workers) {
        for (EventExecutor executor : workers) {
            NettyLoop loop = new NettyLoop(all.size(), (EventLoop) executor);
            all.add(loop);
            byEventLoop.put(executor, loop);
        }
    }

    List<NettyLoop> all() {
        return all;
    }

    /** The hub loop of a channel's event loop. */
    Loop of(EventLoop eventLoop) {
        NettyLoop loop = byEventLoop.get(eventLoop);
        if (loop == null) {
            throw new IllegalStateException("channel registered on an event loop outside the worker group");
        }
        return loop;
    }
}
