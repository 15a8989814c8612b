package dev.roomcast.broker.redis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Presence changes this node could not run in Redis (unreachable, stalled, restarted), per room and
 * user, each with what the room had been told of the user before it and which Redis (its run id) that
 * was, for the heartbeat to reconcile once Redis answers again (#10). While a room has any, its later
 * changes wait here too, so the room's changes keep their order and this node's hash keeps saying what
 * the room was told.
 *
 * <p>How a change is reconciled: if Redis is the same process as when it was lost, this node's hash of
 * the room still says what the room was told ({@link Told#FROM_HASH}); if Redis restarted meanwhile its
 * data is gone, so the node's memory says ({@link Told#PRESENT}, {@link Told#ABSENT}), but only once the
 * restarted Redis has been up for a presence lease, when every live node has rewritten its entries and
 * a user connected elsewhere is seen there.
 *
 * <p>Threading: thread-safe, guarded by its monitor (held briefly, and rarely: only around outages).
 * Changes are added in their room's counting section or on a Lettuce I/O thread when a script fails;
 * the heartbeat reads them in the room's counting section and settles them on a Lettuce I/O thread.
 */
final class UnannouncedChanges {

    /** What the room was told of a user, as the heartbeat script takes it. */
    enum Told {
        FROM_HASH("h"), PRESENT("1"), ABSENT("0");

        final String arg;

        Told(String arg) {
            this.arg = arg;
        }
    }

    /** One user's unrun change: identity matters, so a change added while one was being settled stays. */
    private static final class Change {
        final boolean toldPresent;
        final String redisRunId;

        Change(boolean toldPresent, String redisRunId) {
            this.toldPresent = toldPresent;
            this.redisRunId = redisRunId;
        }
    }

    /** A change the heartbeat reconciles now, and what it passes for it. */
    record Due(String user, Told told, Object change) {
    }

    private final Map<String, Map<String, Change>> rooms = new HashMap<>();

    synchronized boolean has(String room) {
        return rooms.containsKey(room);
    }

    synchronized Set<String> rooms() {
        return Set.copyOf(rooms.keySet());
    }

    /**
     * A change of {@code user} in {@code room} that was not run; {@code toldPresent} is whether the user
     * was present here before it, {@code redisRunId} the Redis it was meant for (null when this node has not yet
     * asked that master which process it is). A user with one already
     * keeps the first one's told state and Redis, which are what the room last heard.
     */
    synchronized void add(String room, String user, boolean toldPresent, String redisRunId) {
        rooms.computeIfAbsent(room, r -> new HashMap<>()).merge(user, new Change(toldPresent, redisRunId),
                (first, later) -> new Change(first.toldPresent, first.redisRunId));
    }

    /**
     * The room's changes to reconcile now, with Redis at {@code redisRunId}; {@code restartSettled} says
     * whether it has been up for a presence lease. Changes lost in a restart wait until it has.
     */
    synchronized List<Due> due(String room, String redisRunId, boolean restartSettled) {
        List<Due> due = new ArrayList<>();
        rooms.getOrDefault(room, Map.of()).forEach((user, change) -> {
            if (Objects.equals(change.redisRunId, redisRunId)) {
                due.add(new Due(user, Told.FROM_HASH, change));
            } else if (restartSettled) {
                due.add(new Due(user, change.toldPresent ? Told.PRESENT : Told.ABSENT, change));
            }
        });
        return due;
    }

    /** The heartbeat reconciled {@code settled}: forgets them, unless a later change replaced one. */
    synchronized void settled(String room, List<Due> settled) {
        Map<String, Change> changes = rooms.get(room);
        if (changes == null) {
            return;
        }
        settled.forEach(due -> changes.remove(due.user(), due.change()));
        if (changes.isEmpty()) {
            rooms.remove(room);
        }
    }
}
