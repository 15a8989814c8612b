package dev.roomcast.protocol;

/**
 * Every error a JSON v1 client can be answered with; the wire string is stable and documented in
 * docs/protocol.md. An error never closes the connection: only protocol abuse does.
 */
public enum ErrorCode {
    /** The frame is not a single JSON object. */
    BAD_JSON("bad_json"),
    /** The {@code type} is not one of the documented requests. */
    UNKNOWN_TYPE("unknown_type"),
    /** A required field is absent. */
    MISSING_FIELD("missing_field"),
    /** A field has the wrong JSON type or an out-of-range value. */
    INVALID_FIELD("invalid_field"),
    /** The room name breaks the room-name rules or is reserved. */
    INVALID_ROOM("invalid_room"),
    /** The {@code text} is longer than the server's payload limit (in UTF-8 bytes). */
    TEXT_TOO_LONG("text_too_long"),
    /** The {@code data}, written as compact JSON, is longer than the server's payload limit (in UTF-8 bytes). */
    DATA_TOO_LONG("data_too_long"),
    /** {@code join} of a room this connection is already in. */
    ALREADY_JOINED("already_joined"),
    /** {@code join} beyond the number of rooms one connection may be in. */
    TOO_MANY_ROOMS("too_many_rooms"),
    /** {@code publish} or {@code leave} of a room this connection has not joined. */
    NOT_JOINED("not_joined"),
    /** {@code direct} to a user with no JSON connection on any node. */
    NO_SUCH_USER("no_such_user"),
    /**
     * The connection's principal may not join this room or see its presence, or may not publish there (the
     * room's namespace or the token's {@code publish} claim does not allow it).
     */
    FORBIDDEN("forbidden"),
    /** {@code refresh} with a token that is missing, invalid, expired or for another user, or auth is off. */
    UNAUTHORIZED("unauthorized"),
    /** The connection sent requests faster than its rate limit allows; the request was dropped. */
    RATE_LIMITED("rate_limited"),
    /** The server failed to carry out the request (a broker failure); retrying later may work. */
    INTERNAL("internal"),
    /**
     * A {@code publish} the broker did not confirm in time: it may or may not have been published. A retry
     * with the same {@code idempotency_key} is delivered at most once; one without may duplicate it.
     */
    UNKNOWN_OUTCOME("unknown_outcome"),
    /**
     * The application backend's join or publish hook did not answer in time or usably, so the request was
     * refused rather than let through (hooks fail closed). Retrying later may work.
     */
    UNAVAILABLE("unavailable");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    /** The code as it appears in the {@code code} field. */
    public String wire() {
        return wire;
    }
}
