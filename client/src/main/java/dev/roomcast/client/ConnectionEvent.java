package dev.roomcast.client;

import java.time.Duration;

/**
 * A change of connection state, with why the previous connection ended when it did.
 *
 * <p>Threading: immutable.
 *
 * @param code    the WebSocket close code (1006 when the socket failed or was never opened; 0 for no close)
 * @param reason  the close reason phrase, or what failed
 * @param retryIn the delay before the next attempt when {@code state} is RECONNECTING, else zero
 */
public record ConnectionEvent(ConnectionState state, int code, String reason, Duration retryIn) {
}
