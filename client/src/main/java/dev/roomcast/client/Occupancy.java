package dev.roomcast.client;

/**
 * The member count of a room whose namespace keeps only a count ({@code presence: count}), sent instead of
 * {@link PresenceChange}s at most once a second: its members (connections) on every node.
 *
 * <p>Threading: immutable.
 */
public record Occupancy(String room, int members) {
}
