package dev.roomcast.broker;

import dev.roomcast.concurrent.SerialSections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Who is in each room on this node: user → number of that user's sessions in the room. A user
 * with three tabs is one entry with a count of three. The presence stores build on it: the local
 * one announces a user's first session in and last session out, the Redis one mirrors the counts
 * into Redis, where the nodes' counts meet.
 *
 * <p>Threading: thread-safe. Sessions of one user join and leave on different loops, so each room's
 * counts change in the room's {@link SerialSections section}, and the caller's reaction runs in the
 * same step: reactions to one room's changes happen in the order of the counts they describe.
 */
public final class PresenceCounts {

    /** Room → user → sessions; a room's inner map is touched only in the room's section. */
    private final ConcurrentHashMap<String, Map<String, Integer>> rooms = new ConcurrentHashMap<>();
    private final SerialSections sections = new SerialSections();

    /**
     * Counts one more session of {@code user} in {@code room} and calls {@code counted} with the
     * user's new count, in the same step. {@code counted} must not touch these counts.
     */
    public void add(String room, String user, IntConsumer counted) {
        sections.run(room, () -> counted.accept(rooms.computeIfAbsent(room, r -> new HashMap<>()).merge(user, 1, Integer::sum)));
    }

    /**
     * Counts one session fewer and calls {@code counted} with the user's new count (0 when it was the
     * last), in the same step; does nothing for a user who is not counted in the room.
     */
    public void remove(String room, String user, IntConsumer counted) {
        sections.run(room, () -> {
            Map<String, Integer> counts = rooms.get(room);
            Integer before = counts == null ? null : counts.get(user);
            if (before == null) {
                return;
            }
            if (before == 1) {
                counts.remove(user);
                if (counts.isEmpty()) {
                    rooms.remove(room);
                }
            } else {
                counts.put(user, before - 1);
            }
            counted.accept(before - 1);
        });
    }

    /** The users in the room with their session counts, sorted by user; empty when nobody is in it. */
    public Map<String, Integer> users(String room) {
        return sections.call(room, () -> {
            Map<String, Integer> counts = rooms.get(room);
            return counts == null ? Map.of() : new TreeMap<>(counts);
        });
    }

    /** The rooms with sessions now. */
    public Set<String> rooms() {
        return Set.copyOf(rooms.keySet());
    }

    /**
     * Calls {@code action} with a snapshot of the room's counts (empty when nobody is in it) in the room's
     * section, so what the action sends is ordered with the room's changes. {@code action} must not touch
     * these counts.
     */
    public void withRoom(String room, Consumer<Map<String, Integer>> action) {
        sections.run(room, () -> {
            Map<String, Integer> counts = rooms.get(room);
            action.accept(counts == null ? Map.of() : Map.copyOf(counts));
        });
    }
}
