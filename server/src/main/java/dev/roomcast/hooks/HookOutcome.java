package dev.roomcast.hooks;

import java.util.Locale;

/** How one hook call ended; the metrics count calls by it. */
public enum HookOutcome {
    /** The backend allowed it as it was. */
    ALLOWED,
    /** The backend allowed a publish with a payload of its own. */
    REWRITTEN,
    /** The backend refused it. */
    REFUSED,
    /** The backend did not answer within {@code --hook-timeout}: failed closed. */
    TIMEOUT,
    /** The backend could not be reached, answered a non-2xx status or an answer that is not one: failed closed. */
    FAILED,
    /** {@code --hook-max-concurrent} calls were in flight already: failed closed without a call. */
    OVERLOADED;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
