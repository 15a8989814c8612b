package dev.roomcast.hub;

import dev.roomcast.broker.RoomEvent;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Who is in each room on this node: user → number of that user's sessions in the room. A user
 * with three tabs is one entry with a count of three; {@code joined} and {@code left} changes are
 * emitted only for a user's first session in and last session out.
 *
 * <p>Threading: thread-safe. Sessions of one user join and leave on different loops, so each
 * room's counts change inside {@link ConcurrentHashMap#compute} for that room, and the change is
 * announced inside the same atomic step, which keeps a room's joined/left announcements in the
 * order of the counts they describe.
 */
final class Presence {

    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Integer>> rooms = new ConcurrentHashMap<>();

    /**
     * Counts one more session of {@code user} in {@code room}; on the user's first one, calls
     * {@code announce} with a {@code joined} change, atomically with the count. {@code announce}
     * must not touch this presence.
     */
    void add(String room, String user, Consumer<RoomEvent.PresenceChange> announce) {
        rooms.compute(room, (r, users) -> {
            ConcurrentHashMap<String, Integer> counts = users == null ? new ConcurrentHashMap<>() : users;
            if (counts.merge(user, 1, Integer::sum) == 1) {
                announce.accept(new RoomEvent.PresenceChange(room, user, true));
            }
            return counts;
        });
    }

    /** Counts one session fewer; on the user's last one, announces a {@code left} change. */
    void remove(String room, String user, Consumer<RoomEvent.PresenceChange> announce) {
        rooms.computeIfPresent(room, (r, counts) -> {
            Integer left = counts.computeIfPresent(user, (u, n) -> n == 1 ? null : n - 1);
            if (left == null) {
                announce.accept(new RoomEvent.PresenceChange(room, user, false));
            }
            return counts.isEmpty() ? null : counts;
        });
    }

    /** The users in the room with their session counts, sorted by user; empty when nobody is in it. */
    Map<String, Integer> users(String room) {
        ConcurrentHashMap<String, Integer> counts = rooms.get(room);
        return counts == null ? Map.of() : new TreeMap<>(counts);
    }
}
