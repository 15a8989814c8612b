package dev.roomcast.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.room.Position;

/**
 * Parses JSON v1 request frames into {@link ClientRequest}s, turning every malformed request into
 * an {@link ClientRequest.Invalid} with its stable {@link ErrorCode}. Immutable and thread-safe.
 */
public final class ClientRequests {

    /** Most messages a {@code join} may ask to replay with {@code history}. */
    public static final int MAX_HISTORY = 10_000;
    /** Longest {@code ref} echoed back. */
    public static final int MAX_REF_CHARS = 256;

    private final PublishRequest publishes;

    /** @param maxPayloadBytes longest {@code text} (UTF-8 bytes) or {@code data} (compact JSON) accepted */
    public ClientRequests(int maxPayloadBytes) {
        this.publishes = new PublishRequest(maxPayloadBytes);
    }

    /** A field-level refusal, carried out of the field readers to {@link #parse}. */
    private static final class Refusal extends Exception {
        final ErrorCode code;

        Refusal(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    /** The request in {@code frame}, or an {@link ClientRequest.Invalid} saying what is wrong with it. */
    public ClientRequest parse(String frame) {
        JsonNode root;
        try {
            root = PublishRequest.parse(frame);
        } catch (JsonProcessingException e) {
            return new ClientRequest.Invalid(null, ErrorCode.BAD_JSON, "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            return new ClientRequest.Invalid(null, ErrorCode.BAD_JSON, "a request must be one JSON object");
        }
        JsonNode refNode = root.get("ref");
        if (refNode != null && !(refNode.isTextual() && refNode.textValue().length() <= MAX_REF_CHARS)) {
            return new ClientRequest.Invalid(null, ErrorCode.INVALID_FIELD,
                    "ref must be a string of at most " + MAX_REF_CHARS + " characters");
        }
        String ref = refNode == null ? null : refNode.textValue();
        try {
            return parse(ref, string(root, "type"), root);
        } catch (Refusal refusal) {
            return new ClientRequest.Invalid(ref, refusal.code, refusal.getMessage());
        } catch (PublishRequest.Refusal refusal) {
            return new ClientRequest.Invalid(ref, refusal.code(), refusal.getMessage());
        }
    }

    private ClientRequest parse(String ref, String type, JsonNode root) throws Refusal, PublishRequest.Refusal {
        switch (type) {
            case "join":
                return new ClientRequest.Join(ref, room(root), since(root), history(root));
            case "leave":
                return new ClientRequest.Leave(ref, room(root));
            case "publish":
                String room = room(root);
                return new ClientRequest.Publish(ref, room, publishes.read(root));
            case "direct":
                String to = string(root, "to");
                if (to.isEmpty()) {
                    throw new Refusal(ErrorCode.INVALID_FIELD, "to must not be empty");
                }
                return new ClientRequest.Direct(ref, to, text(root));
            case "presence":
                return new ClientRequest.PresenceQuery(ref, room(root));
            case "ping":
                return new ClientRequest.Ping(ref);
            case "refresh":
                return new ClientRequest.Refresh(ref, string(root, "token"));
            default:
                throw new Refusal(ErrorCode.UNKNOWN_TYPE, "unknown request type: " + type);
        }
    }

    private static String string(JsonNode root, String field) throws Refusal {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new Refusal(ErrorCode.MISSING_FIELD, field + " is required");
        }
        if (!node.isTextual()) {
            throw new Refusal(ErrorCode.INVALID_FIELD, field + " must be a string");
        }
        return node.textValue();
    }

    private static String room(JsonNode root) throws Refusal {
        RoomNames.Checked room = RoomNames.check(string(root, "room"), true);
        if (!room.ok()) {
            throw new Refusal(ErrorCode.INVALID_ROOM, room.refusal());
        }
        return room.name();
    }

    private String text(JsonNode root) throws Refusal, PublishRequest.Refusal {
        return publishes.text(string(root, "text"));
    }

    private static Position since(JsonNode root) throws Refusal {
        JsonNode since = root.get("since");
        if (since == null || since.isNull()) {
            return null;
        }
        JsonNode epoch = since.get("epoch");
        JsonNode offset = since.get("offset");
        if (!since.isObject() || epoch == null || !epoch.isTextual() || epoch.textValue().isEmpty()
                || offset == null || !offset.canConvertToLong() || !offset.isIntegralNumber() || offset.longValue() < 0) {
            throw new Refusal(ErrorCode.INVALID_FIELD,
                    "since must be {\"epoch\": string, \"offset\": integer >= 0} as seen in a message");
        }
        return new Position(epoch.textValue(), offset.longValue());
    }

    private static int history(JsonNode root) throws Refusal {
        JsonNode history = root.get("history");
        if (history == null || history.isNull()) {
            return 0;
        }
        if (!history.isIntegralNumber() || !history.canConvertToInt()
                || history.intValue() < 0 || history.intValue() > MAX_HISTORY) {
            throw new Refusal(ErrorCode.INVALID_FIELD, "history must be an integer from 0 to " + MAX_HISTORY);
        }
        return history.intValue();
    }
}
