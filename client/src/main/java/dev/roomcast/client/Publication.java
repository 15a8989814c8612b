package dev.roomcast.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * What {@link RoomcastClient#publish(String, Publication)} sends: a text or a JSON value, and how it is
 * delivered (docs/protocol.md, "publish"). Built with {@link #text} or {@link #data} and the
 * {@code with…} methods, each returning a copy.
 *
 * <p>Threading: immutable.
 *
 * @param event          a name for the kind of message (1 to 64 characters), or null
 * @param store          false: delivered live only, no position, never in history or recovery
 * @param echo           false: every member but this connection receives it
 * @param idempotencyKey a retry with the same key in the same room within the server's window is not
 *                       delivered again and answers the first position; null for none
 */
public record Publication(String text, JsonNode data, String event, boolean store, boolean echo, String idempotencyKey) {

    public Publication {
        if ((text == null) == (data == null)) {
            throw new IllegalArgumentException("a publication has either a text or data");
        }
    }

    public static Publication text(String text) {
        return new Publication(Objects.requireNonNull(text, "text"), null, null, true, true, null);
    }

    /** Any JSON value; a Java {@code null} is refused, JSON null is {@code NullNode.getInstance()}. */
    public static Publication data(JsonNode data) {
        return new Publication(null, Objects.requireNonNull(data, "data"), null, true, true, null);
    }

    public Publication withEvent(String event) {
        return new Publication(text, data, event, store, echo, idempotencyKey);
    }

    /** Not stored: for typing indicators, cursors, game ticks. */
    public Publication ephemeral() {
        return new Publication(text, data, event, false, echo, idempotencyKey);
    }

    /** Not delivered back to the publishing connection. */
    public Publication withoutEcho() {
        return new Publication(text, data, event, store, false, idempotencyKey);
    }

    public Publication withIdempotencyKey(String key) {
        return new Publication(text, data, event, store, echo, key);
    }

    /** Adds the publish fields to a request; only those that differ from the protocol's defaults. */
    void writeTo(ObjectNode request) {
        if (text != null) {
            request.put("text", text);
        } else {
            request.set("data", data);
        }
        if (event != null) {
            request.put("event", event);
        }
        if (!store) {
            request.put("store", false);
        }
        if (!echo) {
            request.put("echo", false);
        }
        if (idempotencyKey != null) {
            request.put("idempotency_key", idempotencyKey);
        }
    }
}
