package dev.roomcast.broker;

/**
 * Something that happened in a room and must reach its members on every node. Immutable,
 * so one instance is shared by every loop that fans it out.
 */
public sealed interface RoomEvent {

    /** The room the event belongs to. */
    String room();

    /** A chat message; the only event kind that is kept in history and carries a position. */
    record Message(String room, Position position, String from, String text, long timestampMillis)
            implements RoomEvent {
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
}
