package dev.roomcast.room;

/**
 * A message before the broker has given it a position, with what its publisher asked of its
 * delivery.
 *
 * <p>Threading: immutable.
 *
 * @param from           the publishing user
 * @param payload        what the message carries
 * @param store          false for an ephemeral message: delivered live only, no position, never in history
 * @param exceptSession  the id of the one session that must not receive it ({@code echo:false}), or null
 * @param idempotencyKey a publish with the same key in the same room within the broker's window is not
 *                       delivered again and completes with the first one's position; null for none
 */
public record Draft(String from, Payload payload, long timestampMillis, boolean store, String exceptSession,
                    String idempotencyKey) {

    /** A stored text message that every member receives, without an idempotency key. */
    public Draft(String from, String text, long timestampMillis) {
        this(from, Payload.text(text), timestampMillis, true, null, null);
    }
}
