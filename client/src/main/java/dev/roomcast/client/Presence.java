package dev.roomcast.client;

import java.util.Map;

/**
 * The answer to {@link RoomcastClient#presence}: each user in the room with its number of sessions, sorted by user.
 *
 * <p>Threading: immutable.
 */
public record Presence(String room, Map<String, Integer> sessionsByUser) {

    public Presence {
        sessionsByUser = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(sessionsByUser));
    }
}
