package dev.roomcast.room;

/**
 * Something that happened in a room and must reach its members on every node. Immutable,
 * so one instance is shared by every loop that fans it out.
 */
public sealed interface RoomEvent {

    /** The room the event belongs to. */
    String room();

    /**
     * A message; the only event kind that is kept in history and carries a position, unless it was
     * published with {@code store:false}, which has none ({@code position} is null).
     *
     * @param exceptSession the id of the session that does not receive it ({@code echo:false}), or null
     */
    record Message(String room, Position position, String from, Payload payload, long timestampMillis,
                   String exceptSession) implements RoomEvent {

        /** A stored text message for every member. */
        public Message(String room, Position position, String from, String text, long timestampMillis) {
            this(room, position, from, Payload.text(text), timestampMillis, null);
        }

        /** The message of {@code draft} at {@code position} (null for an ephemeral one). */
        public static Message of(String room, Position position, Draft draft) {
            return new Message(room, position, draft.from(), draft.payload(), draft.timestampMillis(),
                    draft.exceptSession());
        }

        /** Whether it is kept in history and has a position; false for {@code store:false}. */
        public boolean stored() {
            return position != null;
        }

        /** The text, or null for a data message. */
        public String text() {
            return payload.text();
        }
    }

    /**
     * One connection left the room. Seed text members render it as the tutorial's
     * "Client left …" line; JSON members learn about departures through {@link PresenceChange}.
     */
    record SessionLeft(String room, String user) implements RoomEvent {
    }

    /**
     * This node could not give the room's members some of its messages (the room's history was lost
     * or trimmed while the node was cut off from the broker); the room goes on after
     * {@code continuesAfter}. Never kept in history and never sent to other nodes: each node finds
     * out for itself. JSON members are told ({@code recovered:false}); text members cannot be.
     */
    record Gap(String room, Position continuesAfter) implements RoomEvent {
    }

    /** A user's first connection joined ({@code joined = true}) or its last one left. */
    record PresenceChange(String room, String user, boolean joined) implements RoomEvent {
    }

    /**
     * The members of a room whose presence mode is {@link PresenceMode#COUNT}, on every node. Never kept in
     * history; each node hands the newest one it heard to its members at most once a second.
     */
    record Occupancy(String room, int members) implements RoomEvent {
    }
}
