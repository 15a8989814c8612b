package dev.roomcast.room;

import java.util.Locale;

/**
 * How much presence a room keeps and tells its members, set per namespace (docs/operations.md, "Namespaces").
 *
 * <p>Threading: immutable.
 */
public enum PresenceMode {
    /** Users are counted per room; {@code joined}/{@code left} on a user's first and last session; member lists. */
    FULL,
    /**
     * Occupancy only: members receive the room's number of members on every node, at most once a second, and
     * never a per-user event or list, so a room of n members costs O(1) frames per member per second, not O(n).
     */
    COUNT,
    /** Nothing: sessions are not counted, and nothing about who is in the room is sent. */
    OFF;

    /** How the config file writes it: {@code full}, {@code count}, {@code off}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
