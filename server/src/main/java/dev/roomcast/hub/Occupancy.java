package dev.roomcast.hub;

import dev.roomcast.broker.PresenceStore;
import dev.roomcast.room.RoomEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member counts of this node's count rooms ({@link dev.roomcast.room.PresenceMode#COUNT}), once a second
 * ({@link #TICK}) in both directions: it sets the presence store's entry of each room whose members here changed
 * (the store announces the room's total over every node when that changed), and it hands each room's newest total
 * heard since the last tick to the room's members here, when it differs from the one they were shown or a member
 * joined since. So a member gets at most one count frame per tick however many members come and go, on however
 * many nodes, and a node does work per tick only for rooms that changed.
 *
 * <p>Threading: thread-safe. Membership changes and heard totals arrive on any thread into concurrent sets and maps;
 * the tick runs on one daemon thread, {@code roomcast-occupancy}, started by the first count room (tests call
 * {@link #tick} themselves instead), which alone touches {@link #shown}.
 */
final class Occupancy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Occupancy.class);

    /** How often members are told, at most. */
    static final long TICK_MILLIS = 1000;

    private final PresenceStore presence;
    private final ToIntFunction<String> localMembers;
    private final Consumer<RoomEvent> localBroadcast;
    /** Rooms whose members here changed since the last tick. */
    private final Set<String> changed = ConcurrentHashMap.newKeySet();
    /** Rooms a member joined here since the last tick: its members are shown the total even if it did not change. */
    private final Set<String> joined = ConcurrentHashMap.newKeySet();
    /** The newest total heard of each room since the last tick. */
    private final ConcurrentHashMap<String, Integer> heard = new ConcurrentHashMap<>();
    /** The total last shown to each room's members here. Tick thread only. */
    private final Map<String, Integer> shown = new HashMap<>();
    private final ScheduledThreadPoolExecutor ticks = new ScheduledThreadPoolExecutor(1, task -> {
        Thread thread = new Thread(task, "roomcast-occupancy");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean ticking;

    /**
     * @param localMembers   members of a room on this node now; any thread
     * @param localBroadcast hands an event to the room's members on this node; any thread
     */
    Occupancy(PresenceStore presence, ToIntFunction<String> localMembers, Consumer<RoomEvent> localBroadcast) {
        this.presence = presence;
        this.localMembers = localMembers;
        this.localBroadcast = localBroadcast;
    }

    /** A session joined the count room here. Any thread. */
    void memberJoined(String room) {
        changed.add(room);
        joined.add(room);
    }

    /** A session left the count room here. Any thread. */
    void memberLeft(String room) {
        changed.add(room);
    }

    /** The room's total, as announced by the presence store: kept for the next tick. Any thread. */
    void heard(RoomEvent.Occupancy occupancy) {
        heard.put(occupancy.room(), occupancy.members());
    }

    /** Stops the tick; what changed since the last one is not told. */
    @Override
    public void close() {
        ticks.shutdownNow();
    }

    /** Starts the tick, once; the hub calls it on a count room's first join. Any thread. */
    void start() {
        if (!ticking) {
            synchronized (this) {
                if (!ticking && !ticks.isShutdown()) {
                    ticks.scheduleWithFixedDelay(this::tickSafely, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
                    ticking = true;
                }
            }
        }
    }

    /** A tick that throws would end the schedule: a bug is logged and the next tick runs. */
    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException bug) {
            log.error("occupancy tick failed", bug);
        }
    }

    /** On the tick thread (tests call it directly instead). */
    void tick() {
        Set<String> newcomers = drain(joined);
        Set<String> report = drain(changed);
        report.addAll(newcomers);
        for (String room : report) {
            int members = localMembers.applyAsInt(room);
            // A node that has not heard the room's total yet (its first member, or a total lost on the way) asks
            // for it again each tick until it does; otherwise the store announces only a changed total.
            boolean unheard = members > 0 && !shown.containsKey(room) && !heard.containsKey(room);
            presence.setOccupancy(room, members, unheard);
            if (unheard && !heard.containsKey(room)) {
                joined.add(room);
            } else if (members == 0) {
                shown.remove(room);
                heard.remove(room);
            }
        }
        Set<String> show = new HashSet<>(heard.keySet());
        show.addAll(newcomers);
        for (String room : show) {
            Integer total = heard.remove(room);
            Integer before = shown.get(room);
            if (localMembers.applyAsInt(room) == 0) {
                shown.remove(room);
            } else if (total == null ? before != null && newcomers.contains(room)
                    : !total.equals(before) || newcomers.contains(room)) {
                int members = total == null ? before : total;
                shown.put(room, members);
                localBroadcast.accept(new RoomEvent.Occupancy(room, members));
            }
        }
    }

    private static Set<String> drain(Set<String> rooms) {
        Set<String> drained = new HashSet<>();
        for (String room : rooms) {
            if (rooms.remove(room)) {
                drained.add(room);
            }
        }
        return drained;
    }
}
