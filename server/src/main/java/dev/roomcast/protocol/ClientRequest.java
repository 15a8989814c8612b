package dev.roomcast.protocol;

import dev.roomcast.room.Position;

/**
 * One JSON v1 request from a client, already validated, or the reason it is not valid. Immutable.
 * Every request carries the client's {@code ref} (null when it sent none), echoed in the answer.
 */
public sealed interface ClientRequest {

    String ref();

    /**
     * {@code join}: enter a room, optionally replaying history.
     *
     * @param since   the last position the client saw, to recover what it missed; null for none
     * @param history how many of the newest messages to replay when {@code since} is null; 0 for none
     */
    record Join(String ref, String room, Position since, int history) implements ClientRequest {
    }

    /** {@code leave}: stop receiving a room's events. */
    record Leave(String ref, String room) implements ClientRequest {
    }

    /** {@code publish}: send a message to every member of a joined room (but the sender with {@code echo:false}). */
    record Publish(String ref, String room, PublishRequest.Fields fields) implements ClientRequest {
    }

    /** {@code direct}: send a private message to every connection of a user. */
    record Direct(String ref, String to, String text) implements ClientRequest {
    }

    /** {@code presence}: who is in a room. */
    record PresenceQuery(String ref, String room) implements ClientRequest {
    }

    /** {@code ping}: answered with {@code ok}; lets a client check the connection end to end. */
    record Ping(String ref) implements ClientRequest {
    }

    /** {@code refresh}: replace the connection's token with a fresh one before it expires. */
    record Refresh(String ref, String token) implements ClientRequest {
    }

    /** A frame that is not a valid request: answered with an {@code error}, the connection stays open. */
    record Invalid(String ref, ErrorCode code, String message) implements ClientRequest {
    }
}
