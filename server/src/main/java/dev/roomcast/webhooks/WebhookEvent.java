package dev.roomcast.webhooks;

import dev.roomcast.room.Draft;
import dev.roomcast.room.Position;
import java.util.Locale;

/**
 * One lifecycle event as it is sent: {@code id} unique and the same on every retry, {@code type}, when it
 * happened, and the room or user it is about; for {@code message.published}, the message and its position
 * (null when it has none). Immutable.
 */
record WebhookEvent(String id, Type type, long timeMillis, String subject, Draft message, Position position) {

    /** A room's or user's event. */
    WebhookEvent(String id, Type type, long timeMillis, String subject) {
        this(id, type, timeMillis, subject, null, null);
    }

    /** The event types and the field that names their subject. */
    enum Type {
        ROOM_OCCUPIED("room"), ROOM_VACATED("room"), USER_ONLINE("user"), USER_OFFLINE("user"), MESSAGE_PUBLISHED("room");

        final String subjectField;

        Type(String subjectField) {
            this.subjectField = subjectField;
        }

        /** {@code room.occupied}, …: the {@code type} field. */
        String wire() {
            return name().toLowerCase(Locale.ROOT).replace('_', '.');
        }
    }
}
