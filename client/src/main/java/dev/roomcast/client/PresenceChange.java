package dev.roomcast.client;

/**
 * A user's first session entered a room ({@code joined}) or its last one left it.
 *
 * <p>Threading: immutable.
 */
public record PresenceChange(String room, String user, boolean joined) {
}
