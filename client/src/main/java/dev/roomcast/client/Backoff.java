package dev.roomcast.client;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Reconnect delays: exponential backoff with full jitter, a delay drawn uniformly from
 * {@code [0, min(max, min * 2^attempt)]} (docs/protocol.md, "Client behaviour").
 *
 * <p>Threading: immutable; {@code random} must be thread-safe.
 */
record Backoff(Duration min, Duration max, DoubleSupplier random) {

    /** The delay before attempt number {@code attempt} (0 for the first retry). */
    Duration delay(int attempt) {
        double ceiling = Math.min(max.toMillis(), min.toMillis() * Math.pow(2, Math.min(attempt, 30)));
        return Duration.ofMillis(Math.round(random.getAsDouble() * ceiling));
    }
}
