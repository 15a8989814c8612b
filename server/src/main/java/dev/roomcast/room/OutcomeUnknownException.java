package dev.roomcast.room;

/**
 * A request failed in a way that leaves it unknown whether it took effect: the broker did not answer
 * in time, or the connection dropped after the request was sent. A publish that fails this way may
 * still be delivered, so retrying it may duplicate the message (idempotency keys, issue 12, are what
 * will make such retries safe).
 *
 * <p>Threading: thread-safe (immutable).
 */
public final class OutcomeUnknownException extends RuntimeException {

    public OutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether {@code failure}, or anything that caused it, is an unknown outcome. */
    public static boolean isCauseOf(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof OutcomeUnknownException) {
                return true;
            }
        }
        return false;
    }
}
