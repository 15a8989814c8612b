package dev.roomcast.server.gate;

import dev.roomcast.config.Namespace;
import dev.roomcast.security.Principal;

/**
 * Whether a client connection may publish to a room: the room's namespace must let members publish
 * ({@code publish: members}) and the principal's token must allow the room (its {@code publish} claim).
 * The HTTP API is judged by the namespace alone.
 *
 * <p>Threading: stateless; safe from any thread.
 */
public final class PublishRights {

    private PublishRights() {
    }

    /** Why the principal may not publish to the room, as one sentence, or null when it may. */
    public static String refusal(Namespace namespace, Principal principal, String room) {
        if (!namespace.membersPublish()) {
            return "clients may not publish in room " + room + ": its namespace is publish: " + namespace.publish().key();
        }
        if (!principal.publishes().allows(room)) {
            return "your token does not allow publishing in room " + room;
        }
        return null;
    }
}
