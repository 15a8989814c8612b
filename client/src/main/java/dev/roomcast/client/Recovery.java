package dev.roomcast.client;

/**
 * The outcome of rejoining a room with the last position seen, from a {@code recovered} frame.
 * When {@code recovered} is false nothing was replayed: the application should reload its view of
 * the room (docs/protocol.md, "recovered").
 *
 * <p>Threading: immutable.
 *
 * @param missed   how many messages were published after the position the client gave
 * @param position the room's position when the rejoin took effect
 */
public record Recovery(String room, boolean recovered, long missed, Position position) {
}
