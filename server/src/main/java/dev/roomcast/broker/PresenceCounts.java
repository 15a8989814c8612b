package dev.roomcast.broker;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;

/**
 * Who is in each room on this node: user → number of that user's sessions in the room. A user
 * with three tabs is one entry with a count of three. The brokers build presence on it: the local
 * one announces a user's first session in and last session out, the Redis one mirrors the counts
 * into Redis, where the nodes' counts meet.
 *
 * <p>Threading: thread-safe. Sessions of one user join and leave on different loops, so each
 * room's counts change inside {@link ConcurrentHashMap#compute} for that room, and the caller's
 * reaction runs inside the same atomic step: reactions to one room's changes happen in the order
 * of the counts they describe.
 */
public final class PresenceCounts {

    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Integer>> rooms = new ConcurrentHashMap<>();

    /**
     * Counts one more session of {@code user} in {@code room} and calls {@code counted} with the
     * user's new count, atomically with it. {@code counted} must not touch these counts.
     */
    public void add(String room, String user, IntConsumer counted) {
        rooms.compute(room, (r, users) -> {
            ConcurrentHashMap<String, Integer> counts = users == null ? new ConcurrentHashMap<>() : users;
            counted.accept(counts.merge(user, 1, Integer::sum));
            return counts;
        });
    }

    /**
     * Counts one session fewer and calls {@code counted} with the user's new count (0 when it was the
     * last), atomically with it; does nothing for a user who is not counted in the room.
     */
    public void remove(String room, String user, IntConsumer counted) {
        rooms.computeIfPresent(room, (r, counts) -> {
            Integer before = counts.get(user);
            if (before == null) {
                return counts;
            }
            if (before == 1) {
                counts.remove(user);
            } else {
                counts.put(user, before - 1);
            }
            counted.accept(before - 1);
            return counts.isEmpty() ? null : counts;
        });
    }

    /** The users in the room with their session counts, sorted by user; empty when nobody is in it. */
    public Map<String, Integer> users(String room) {
        ConcurrentHashMap<String, Integer> counts = rooms.get(room);
        return counts == null ? Map.of() : new TreeMap<>(counts);
    }

    /**
     * Calls {@code action} with each room and a snapshot of its counts, inside that room's atomic step,
     * so what the action sends is ordered with the room's changes.
     */
    public void forEachRoom(BiConsumer<String, Map<String, Integer>> action) {
        for (String room : rooms.keySet()) {
            rooms.computeIfPresent(room, (r, counts) -> {
                action.accept(r, Map.copyOf(counts));
                return counts;
            });
        }
    }
}
