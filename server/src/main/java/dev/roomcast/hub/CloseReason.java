package dev.roomcast.hub;

/**
 * Every reason Roomcast closes a WebSocket, with its close code and whether the client should
 * reconnect. This is the single table of close codes; docs/protocol.md mirrors it.
 */
public enum CloseReason {
    /** The client asked to close. Reconnect: no. */
    NORMAL(1000, "", false),
    /** The server is shutting down or draining. Reconnect: yes, to another node. */
    GOING_AWAY(1001, "going away", true),
    /** The client left the server's pings unanswered. Reconnect: yes. */
    PING_TIMEOUT(1001, "ping timeout", true),
    /** The client broke the WebSocket protocol. Reconnect: no, fix the client. */
    PROTOCOL_ERROR(1002, "protocol error", false),
    /** A binary frame arrived on a text endpoint. Reconnect: no. */
    UNSUPPORTED_DATA(1003, "binary frames are not supported", false),
    /** A text message was not valid UTF-8. Reconnect: no. */
    INVALID_PAYLOAD(1007, "invalid UTF-8", false),
    /** A text client kept sending past its rate limit. Reconnect: no, slow down first. */
    RATE_LIMITED(1008, "rate limit exceeded", false),
    /** A text client kept publishing where it may not (the room's namespace or its token). Reconnect: no. */
    PUBLISH_FORBIDDEN(1008, "publishing is not allowed here", false),
    /** The connection's token expired and was not refreshed. Reconnect: yes, with a fresh token. */
    TOKEN_EXPIRED(1008, "token expired", true),
    /** A message exceeded the size limit. Reconnect: no. */
    MESSAGE_TOO_BIG(1009, "message too big", false),
    /** A bug in the server. Reconnect: yes, after a backoff. */
    INTERNAL_ERROR(1011, "internal error", true),
    /** The client did not read fast enough and its outbound bound was hit. Reconnect: yes, after a backoff. */
    SLOW_CONSUMER(1013, "slow consumer", true),
    /**
     * The application closed the user's sessions through the HTTP API ({@code POST /v1/users/{user}/disconnect});
     * the phrase is the one it gave. Reconnect: yes.
     */
    DISCONNECTED(4000, "disconnected", true),
    /** As {@link #DISCONNECTED}, with {@code reconnect:false}. Reconnect: no. */
    DISCONNECTED_FOR_GOOD(4001, "disconnected", false);

    private final int code;
    private final String text;
    private final boolean reconnect;

    CloseReason(int code, String text, boolean reconnect) {
        this.code = code;
        this.text = text;
        this.reconnect = reconnect;
    }

    public int code() {
        return code;
    }

    /** The reason phrase sent in the close frame. */
    public String text() {
        return text;
    }

    /** Whether a well-behaved client should reconnect after this close. */
    public boolean reconnect() {
        return reconnect;
    }
}
