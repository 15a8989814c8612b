package dev.roomcast.broker;

import java.time.Duration;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * A {@link PresenceStore} whose sessions leave a grace period late: a user who has had no session in a room for
 * {@code grace} is gone. A session that closes is counted out of the wrapped store only after the grace, so a
 * reload, or a reconnect to another node sharing the store, within it counts the user's new session first, and
 * neither {@code left} nor {@code joined} is announced. Meanwhile the user is still listed by {@link #presence}.
 *
 * <p>Threading: thread-safe. Delayed exits run on one daemon thread, {@code roomcast-presence-grace}, which only
 * hands them to the wrapped store (any thread may call it). Exits still waiting when the store closes are dropped:
 * with Redis, the nodes that stay reap this node's entries when its lease runs out.
 */
public final class GracefulPresenceStore implements PresenceStore {

    private final PresenceStore presence;
    private final Duration grace;
    private final ScheduledExecutorService exits = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "roomcast-presence-grace");
        thread.setDaemon(true);
        return thread;
    });

    public GracefulPresenceStore(PresenceStore presence, Duration grace) {
        this.presence = presence;
        this.grace = grace;
    }

    @Override
    public void enter(String room, String user) {
        presence.enter(room, user);
    }

    /** Counts the session out after the grace period. */
    @Override
    public void exit(String room, String user) {
        try {
            exits.schedule(() -> presence.exit(room, user), grace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            // Closing: the node is going away with all of its sessions.
        }
    }

    @Override
    public CompletionStage<Map<String, Integer>> presence(String room) {
        return presence.presence(room);
    }

    /** Counts are not held back: a reload within a second does not change what members are shown anyway. */
    @Override
    public void setOccupancy(String room, int members, boolean reannounce) {
        presence.setOccupancy(room, members, reannounce);
    }

    @Override
    public CompletionStage<Integer> occupancy(String room) {
        return presence.occupancy(room);
    }

    @Override
    public void announceNode(String nodeId, IntSupplier connections, Supplier<? extends Map<String, Integer>> rooms) {
        presence.announceNode(nodeId, connections, rooms);
    }

    @Override
    public CompletionStage<Map<String, Integer>> nodes() {
        return presence.nodes();
    }

    @Override
    public CompletionStage<NavigableMap<String, Integer>> rooms() {
        return presence.rooms();
    }

    /** Drops the exits still waiting, then closes the wrapped store. */
    @Override
    public void close() {
        exits.shutdownNow();
        presence.close();
    }
}
