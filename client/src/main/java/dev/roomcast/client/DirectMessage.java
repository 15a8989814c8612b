package dev.roomcast.client;

/**
 * A private message to this client's user, from a {@code direct} frame.
 *
 * <p>Threading: immutable.
 */
public record DirectMessage(String from, String text, long ts) {
}
