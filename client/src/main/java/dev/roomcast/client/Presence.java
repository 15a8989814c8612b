package dev.roomcast.client;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answer to {@link RoomcastClient#presence}: one page of the users in the room with their numbers of sessions,
 * sorted by user, and the cursor of the next page; or, in a room whose namespace keeps only a count
 * ({@code presence: count}), the room's member count and no users.
 *
 * <p>Threading: immutable.
 *
 * @param sessionsByUser the users of this page and their sessions; empty in a count room
 * @param next           the cursor of the next page ({@link RoomcastClient#presence(String, int, String)}), or null
 *                       on the last page
 * @param members        in a count room, its members (connections) on every node; otherwise null
 */
public record Presence(String room, Map<String, Integer> sessionsByUser, String next, Integer members) {

    public Presence {
        sessionsByUser = Collections.unmodifiableMap(new TreeMap<>(sessionsByUser));
    }

    /** Whether this is the member count of a count room rather than a page of users. */
    public boolean isCount() {
        return members != null;
    }
}
