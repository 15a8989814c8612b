package dev.roomcast.client;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answer to {@link RoomcastClient#presence}: each user in the room with its number of sessions, sorted by user.
 *
 * <p>Threading: immutable.
 */
public record Presence(String room, Map<String, Integer> sessionsByUser) {

    public Presence {
        sessionsByUser = Collections.unmodifiableMap(new TreeMap<>(sessionsByUser));
    }
}
