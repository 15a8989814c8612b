package dev.roomcast.hub;

import dev.roomcast.room.Payload;

/**
 * What an endpoint asks the hub to publish: who from, the payload, and how it is delivered.
 *
 * <p>Threading: immutable.
 *
 * @param store          false for an ephemeral message: live members only, no position, not in history
 * @param exceptSession  the id of the session that must not receive it ({@code echo:false}), or null
 * @param idempotencyKey a retry with the same key in the same room within the window is not delivered
 *                       again; null for none
 */
public record Publication(String from, Payload payload, boolean store, String exceptSession, String idempotencyKey) {
}
