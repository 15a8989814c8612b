package dev.roomcast.hub;

import dev.roomcast.room.Position;

/** How a join with replay ended; the endpoint maps each case to its answer. Immutable. */
public sealed interface JoinOutcome {

    /**
     * The session is a member from {@code position} on: it receives the {@code replayed}
     * messages and then every message after {@code position}.
     *
     * @param position  the room's newest position when the join took effect
     * @param recovery  the outcome of a {@code since} recovery, or null when none was asked for
     * @param replayed  how many history messages follow this outcome
     */
    record Joined(Position position, Recovery recovery, int replayed) implements JoinOutcome {
    }

    /**
     * The result of recovering from a position.
     *
     * @param recovered true when every message after {@code since} is replayed; false when the
     *                  history no longer reaches back that far or the epoch changed, so nothing is
     *                  replayed and the client should reload
     * @param missed    how many messages were published after {@code since}; when the epoch
     *                  changed, every message of the new epoch
     */
    record Recovery(boolean recovered, long missed) {
    }

    /** The session already was a member of the room; nothing changed. */
    record AlreadyJoined() implements JoinOutcome {
    }

    /** The history could not be read; the join was undone. */
    record Failed(Throwable cause) implements JoinOutcome {
    }
}
