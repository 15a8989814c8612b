package dev.roomcast.hooks;

/**
 * Hears every hook call's outcome and latency, for the metrics. Called on the HTTP client's threads (or the
 * caller's, for a call refused before it was made); must be cheap and thread-safe.
 */
public interface HookObserver {

    /** One call of {@code hook} ended with {@code outcome} after {@code nanos} (0 when it was never made). */
    void called(Hook hook, HookOutcome outcome, long nanos);
}
