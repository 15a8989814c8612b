package dev.roomcast.security;

import java.time.Instant;

/**
 * Who a connection acts for, decided once before the WebSocket upgrade: the user id that
 * presence and direct messages use, a display name, the rooms it may join and, for token
 * sessions, when the token expires. Immutable.
 *
 * @param rooms     the rooms it may join
 * @param publishes the rooms it may publish to (a token's {@code publish} claim), besides what the room's namespace allows
 * @param expiresAt when the credentials expire, or null when they never do (anonymous sessions)
 */
public record Principal(String user, String displayName, RoomPermissions rooms, RoomPermissions publishes,
                        Instant expiresAt) {

    /** An unauthenticated session: may join any room, never expires. */
    public static Principal anonymous(String name) {
        return anonymous(name, RoomPermissions.any());
    }

    /** An unauthenticated session that may join only {@code rooms} (a server with authentication on). */
    public static Principal anonymous(String name, RoomPermissions rooms) {
        return new Principal(name, name, rooms, RoomPermissions.any(), null);
    }
}
