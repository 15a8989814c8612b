package dev.roomcast.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.roomcast.room.Payload;

/**
 * Reads the fields a publish has on every path in (the JSON {@code publish} request and the HTTP
 * API's JSON body): {@code text} or {@code data}, {@code event}, {@code store}, {@code echo} and
 * {@code idempotency_key}. {@code data} is validated here, once, and kept as its compact JSON, with
 * numbers exactly as sent (integers beyond 2^53 and decimals are not rounded through a double).
 *
 * <p>Threading: immutable and thread-safe.
 */
public final class PublishRequest {

    /** Longest {@code event} name, in code points. */
    public static final int MAX_EVENT_CHARS = 64;
    /** Longest {@code idempotency_key}, in characters. */
    public static final int MAX_IDEMPOTENCY_KEY_CHARS = 128;

    /**
     * Reads requests with numbers kept exactly: big integers stay integers, decimals become exact
     * decimals (not doubles) with their trailing zeros, so {@code data} is written back as it was sent.
     */
    static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    /**
     * The publish fields of one request.
     *
     * @param echo           false: the publishing connection does not receive its own message
     * @param idempotencyKey null when the request has none
     */
    public record Fields(Payload payload, boolean store, boolean echo, String idempotencyKey) {
    }

    /** A field the request gets wrong, with the stable error code it is answered with. */
    public static final class Refusal extends Exception {
        private final ErrorCode code;

        Refusal(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public ErrorCode code() {
            return code;
        }
    }

    private final int maxPayloadBytes;

    /** @param maxPayloadBytes the most UTF-8 bytes of {@code text}, or of {@code data}'s compact JSON */
    public PublishRequest(int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** Parses a JSON document with the exact-number reader; null when it is not valid JSON. */
    public static JsonNode parse(String json) throws JsonProcessingException {
        return JSON.readTree(json);
    }

    /** The publish fields of the JSON object {@code root}. */
    public Fields read(JsonNode root) throws Refusal {
        return new Fields(payload(root), flag(root, "store"), flag(root, "echo"), idempotencyKey(root.get("idempotency_key")));
    }

    /** {@code text} or {@code data}, exactly one, with the optional {@code event}. */
    public Payload payload(JsonNode root) throws Refusal {
        JsonNode text = root.get("text");
        JsonNode data = root.get("data");
        boolean hasText = text != null && !text.isNull();
        // `"data": null` is a JSON value like any other; only a missing field means "no data".
        boolean hasData = data != null;
        if (hasText && hasData) {
            throw new Refusal(ErrorCode.INVALID_FIELD, "give text or data, not both");
        }
        String event = event(root.get("event"));
        if (hasData) {
            String compact = data.toString();
            if (Utf8.length(compact) > maxPayloadBytes) {
                throw new Refusal(ErrorCode.DATA_TOO_LONG, "data is longer than " + maxPayloadBytes + " bytes as compact JSON");
            }
            return new Payload(event, null, compact);
        }
        if (!hasText) {
            throw new Refusal(ErrorCode.MISSING_FIELD, "text or data is required");
        }
        if (!text.isTextual()) {
            throw new Refusal(ErrorCode.INVALID_FIELD, "text must be a string");
        }
        return new Payload(event, text(text.textValue()), null);
    }

    /** A text checked against the size limit. */
    public String text(String text) throws Refusal {
        if (Utf8.length(text) > maxPayloadBytes) {
            throw new Refusal(ErrorCode.TEXT_TOO_LONG, "text is longer than " + maxPayloadBytes + " bytes");
        }
        return text;
    }

    /** A checked idempotency key, or null for {@code null}. */
    public static String idempotencyKey(String key) throws Refusal {
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_CHARS || key.chars().anyMatch(Character::isISOControl)) {
            throw new Refusal(ErrorCode.INVALID_FIELD, "idempotency_key must be 1 to " + MAX_IDEMPOTENCY_KEY_CHARS
                    + " characters without control characters");
        }
        return key;
    }

    private static String idempotencyKey(JsonNode node) throws Refusal {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new Refusal(ErrorCode.INVALID_FIELD, "idempotency_key must be a string");
        }
        return idempotencyKey(node.textValue());
    }

    private static String event(JsonNode node) throws Refusal {
        if (node == null || node.isNull()) {
            return null;
        }
        String event = node.isTextual() ? node.textValue() : null;
        if (event == null || event.isEmpty() || event.codePointCount(0, event.length()) > MAX_EVENT_CHARS
                || event.codePoints().anyMatch(Character::isISOControl)) {
            throw new Refusal(ErrorCode.INVALID_FIELD, "event must be a string of 1 to " + MAX_EVENT_CHARS
                    + " characters without control characters");
        }
        return event;
    }

    /** An optional boolean that defaults to true. */
    private static boolean flag(JsonNode root, String field) throws Refusal {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return true;
        }
        if (!node.isBoolean()) {
            throw new Refusal(ErrorCode.INVALID_FIELD, field + " must be true or false");
        }
        return node.booleanValue();
    }
}
