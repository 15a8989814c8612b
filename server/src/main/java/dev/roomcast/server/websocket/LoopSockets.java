package dev.roomcast.server.websocket;

import dev.roomcast.hub.CloseReason;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The open WebSockets of one event loop: pings each of them once per ping interval and closes the
 * ones that stopped answering, and closes all of them for a drain.
 *
 * <p>The pings run on a timing wheel of {@link #SLOTS} slots turned by one periodic task per loop,
 * instead of a timer per socket: an idle socket costs a place in an array, not a scheduled task in
 * the loop's queue. A socket joins the slot the wheel has just passed, so its first ping comes one
 * interval after it opened (minus at most one slot's width) and then every interval.
 *
 * <p>Threading: confined to its event loop, except {@link #count()} (a volatile read) and
 * {@link #closeAll}, which hops there.
 */
final class LoopSockets {

    /** Slots of the wheel: the precision of the ping timing is one interval divided by this. */
    static final int SLOTS = 16;

    private final EventExecutor loop;
    private final long slotNanos;
    private final int maxMissedPongs;
    private final WebSocketEndpoint[][] slots = new WebSocketEndpoint[SLOTS][];
    private final int[] sizes = new int[SLOTS];
    /** The slot the next tick pings. */
    private int cursor;
    private boolean turning;
    /** Written on the loop only; read from any thread. */
    private volatile int count;

    LoopSockets(EventExecutor loop, Duration pingInterval, int maxMissedPongs) {
        this.loop = loop;
        this.slotNanos = Math.max(1, pingInterval.toNanos() / SLOTS);
        this.maxMissedPongs = maxMissedPongs;
        Arrays.setAll(slots, slot -> new WebSocketEndpoint[8]);
    }

    /** Starts pinging an endpoint whose handshake has completed. On the loop. */
    void add(WebSocketEndpoint endpoint) {
        assert loop.inEventLoop() : "LoopSockets touched off its loop";
        int slot = (cursor + SLOTS - 1) % SLOTS;
        if (sizes[slot] == slots[slot].length) {
            slots[slot] = Arrays.copyOf(slots[slot], sizes[slot] * 2);
        }
        endpoint.wheelSlot = slot;
        endpoint.wheelIndex = sizes[slot];
        slots[slot][sizes[slot]++] = endpoint;
        count++;
        if (!turning) {
            turning = true;
            loop.scheduleAtFixedRate(this::tick, slotNanos, slotNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Forgets a closed endpoint; nothing happens if it was never added or already removed. On the loop. */
    void remove(WebSocketEndpoint endpoint) {
        assert loop.inEventLoop() : "LoopSockets touched off its loop";
        int slot = endpoint.wheelSlot;
        if (slot < 0) {
            return;
        }
        WebSocketEndpoint[] members = slots[slot];
        int last = --sizes[slot];
        WebSocketEndpoint moved = members[last];
        members[endpoint.wheelIndex] = moved;
        moved.wheelIndex = endpoint.wheelIndex;
        members[last] = null;
        endpoint.wheelSlot = -1;
        count--;
    }

    /** Open WebSockets on this loop. Any thread. */
    int count() {
        return count;
    }

    /** Closes every WebSocket of this loop with {@code reason}. Any thread. */
    void closeAll(CloseReason reason) {
        try {
            loop.execute(() -> {
                for (int slot = 0; slot < SLOTS; slot++) {
                    // A copy: closing may take members out of the slot.
                    for (WebSocketEndpoint endpoint : Arrays.copyOf(slots[slot], sizes[slot])) {
                        endpoint.close(reason);
                    }
                }
            });
        } catch (RejectedExecutionException stopped) {
            // The loop has stopped: its sockets are closed already.
        }
    }

    /** Pings the members of one slot; those past the limit of unanswered pings are closed instead. */
    private void tick() {
        int slot = cursor;
        cursor = (cursor + 1) % SLOTS;
        WebSocketEndpoint[] members = slots[slot];
        // Backwards, so that a member leaving during the sweep moves an already-pinged one into its place.
        for (int i = sizes[slot] - 1; i >= 0; i--) {
            if (i < sizes[slot]) {
                members[i].heartbeat(maxMissedPongs);
            }
        }
    }
}
