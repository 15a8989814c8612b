package dev.roomcast.protocol;

import dev.roomcast.room.RoomEvent;

/**
 * The FastAPI tutorial's strings, to the letter. Clients written for the tutorial parse these,
 * so they never change shape.
 */
public final class SeedText {

    /** The room behind the tutorial's global chat on {@code /ws}; reserved, see {@link RoomNames}. */
    public static final String GLOBAL_ROOM = "$global";

    private SeedText() {
    }

    /** The {@code /echo} reply. */
    public static String echo(String data) {
        return "Message text was: " + data;
    }

    /** A message as text members of the room see it. */
    public static String message(String room, String text) {
        return GLOBAL_ROOM.equals(room) ? "Message: " + text : "Message from " + room + ": " + text;
    }

    /** What the remaining text members see when a client leaves. */
    public static String left(String room) {
        return GLOBAL_ROOM.equals(room) ? "Client left the chat" : "Client left the room " + room;
    }

    /** The text rendering of an event, or {@code null} when text clients do not see this kind. */
    public static String render(RoomEvent event) {
        if (event instanceof RoomEvent.Message m) {
            // A data message reads as its compact JSON, so text members see every message of the room.
            return message(m.room(), m.payload().body());
        }
        if (event instanceof RoomEvent.SessionLeft left) {
            return left(left.room());
        }
        return null;
    }
}
