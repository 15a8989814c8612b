package dev.roomcast.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.roomcast.room.Payload;
import dev.roomcast.room.RoomEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Renders room events as JSON v1 frames ({@code message}, {@code joined}, {@code left}, {@code occupancy}, and the
 * unsolicited {@code recovered:false} of a {@link RoomEvent.Gap}), field
 * order as in docs/protocol.md with {@code type} first. Stateless and thread-safe.
 */
public final class JsonEvents {

    private static final JsonFactory JSON = new JsonFactory();

    private JsonEvents() {
    }

    /** The JSON rendering of an event as UTF-8, or {@code null} when JSON clients do not see this kind. */
    public static byte[] render(RoomEvent event) {
        if (event instanceof RoomEvent.SessionLeft) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            if (event instanceof RoomEvent.Message m) {
                json.writeStringField("type", "message");
                json.writeStringField("room", m.room());
                if (m.stored()) {
                    json.writeStringField("epoch", m.position().epoch());
                    json.writeNumberField("offset", m.position().offset());
                }
                json.writeStringField("from", m.from());
                writePayload(json, m.payload());
                json.writeNumberField("ts", m.timestampMillis());
            } else if (event instanceof RoomEvent.Gap gap) {
                json.writeStringField("type", "recovered");
                json.writeStringField("room", gap.room());
                json.writeBooleanField("recovered", false);
                json.writeStringField("epoch", gap.continuesAfter().epoch());
                json.writeNumberField("offset", gap.continuesAfter().offset());
            } else if (event instanceof RoomEvent.PresenceChange p) {
                json.writeStringField("type", p.joined() ? "joined" : "left");
                json.writeStringField("room", p.room());
                json.writeStringField("user", p.user());
            } else if (event instanceof RoomEvent.Occupancy o) {
                json.writeStringField("type", "occupancy");
                json.writeStringField("room", o.room());
                json.writeNumberField("members", o.members());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The {@code event} and {@code key} (if any) and the {@code text} or {@code data} fields; the data's compact JSON is
     * copied as it is, never parsed again. Shared with the HTTP API.
     */
    public static void writePayload(JsonGenerator json, Payload payload) throws IOException {
        if (payload.event() != null) {
            json.writeStringField("event", payload.event());
        }
        if (payload.key() != null) {
            json.writeStringField("key", payload.key());
        }
        if (payload.text() != null) {
            json.writeStringField("text", payload.text());
        } else {
            json.writeFieldName("data");
            json.writeRawValue(payload.data());
        }
    }
}
