package dev.roomcast.client;

/**
 * A room message as the server sent it in a {@code message} frame.
 *
 * <p>Threading: immutable.
 *
 * @param ts the server's time in milliseconds since the Unix epoch
 */
public record Message(String room, Position position, String from, String text, long ts) {
}
