package dev.roomcast.metrics;

import java.util.Locale;

/**
 * What the broker failed to do: the {@code operation} tag of {@code roomcast_broker_errors_total}.
 *
 * <p>Threading: immutable.
 */
public enum BrokerOperation {
    /** A publish (also timed by {@code roomcast_broker_publish_seconds}). */
    PUBLISH,
    /** Subscribing to a room's or a user's events. */
    SUBSCRIBE,
    UNSUBSCRIBE,
    /** Reading history, for a join with recovery or the HTTP API. */
    HISTORY,
    /** Reading a room's presence. */
    PRESENCE,
    /** Sending a direct message. */
    DIRECT,
    /** Sending a departure or a presence change, which nobody waits for. */
    ANNOUNCE,
    /** This node's presence heartbeat (Redis). */
    HEARTBEAT;

    /** The tag value: lower case. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
