package dev.roomcast.room;

/**
 * An order to close every session of one user, on whichever nodes they are, with {@code reason} as
 * the close frame's phrase; {@code reconnect} says whether the clients may come back. Routed like a
 * {@link DirectMessage} (DirectRouter#disconnectUser). Immutable.
 */
public record UserDisconnect(String user, String reason, boolean reconnect) {
}
