package dev.roomcast.client;

/**
 * Where a {@link RoomcastClient}'s connection stands.
 *
 * <p>Threading: immutable.
 */
public enum ConnectionState {
    /** Opening a socket; requests made now wait for the welcome. */
    CONNECTING,
    /** Welcomed by the server: requests are sent at once. */
    OPEN,
    /** The connection was lost; a new attempt starts after {@link ConnectionEvent#retryIn()}. */
    RECONNECTING,
    /** Closed for good: by {@link RoomcastClient#close()}, a close code retrying cannot fix, or a refused token. */
    CLOSED
}
