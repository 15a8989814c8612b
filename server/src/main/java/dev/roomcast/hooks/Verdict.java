package dev.roomcast.hooks;

import dev.roomcast.room.Payload;

/** The join or publish hook's answer, as the server acts on it. Immutable. */
public sealed interface Verdict {

    /** Go ahead; a publish with {@code replacement} (non-null only when the backend rewrote the payload). */
    record Allowed(Payload replacement) implements Verdict {
    }

    /** Refuse with this error {@code code} (the backend's, or {@code forbidden}) and message, sent to the client. */
    record Refused(String code, String message) implements Verdict {
    }

    /** The backend did not give a usable answer: fail closed with error {@code unavailable}. */
    record Unavailable(String reason) implements Verdict {
    }
}
