package dev.roomcast.security;

import java.time.Instant;

/**
 * Who a connection acts for, decided once before the WebSocket upgrade: the user id that
 * presence and direct messages use, a display name, the rooms it may join and, for token
 * sessions, when the token expires. Immutable.
 *
 * @param expiresAt when the credentials expire, or null when they never do (anonymous sessions)
 */
public record Principal(String user, String displayName, RoomPermissions rooms, Instant expiresAt) {

    /** An unauthenticated session: may join any room, never expires. */
    public static Principal anonymous(String name) {
        return new Principal(name, name, RoomPermissions.any(), null);
    }
}
