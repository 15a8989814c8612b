package dev.roomcast.broker;

import java.time.Duration;

/**
 * What one room keeps for history and recovery.
 *
 * <p>Threading: immutable.
 *
 * @param size   messages kept (0 keeps none)
 * @param maxAge oldest message kept; zero keeps them regardless of age
 */
public record RoomHistory(int size, Duration maxAge) {

    /** Every room alike. */
    public static HistoryPolicy uniform(int size, Duration maxAge) {
        RoomHistory history = new RoomHistory(size, maxAge);
        return room -> history;
    }

    /** Which {@link RoomHistory} each room has (per namespace, in Roomcast). Thread-safe and cheap: called per publish. */
    @FunctionalInterface
    public interface HistoryPolicy {
        RoomHistory of(String room);
    }
}
