package dev.roomcast.client;

/**
 * The server answered a request with an {@code error} frame; {@link #code()} is the stable error
 * code of docs/protocol.md ("Errors"), such as {@code not_joined} or {@code unauthorized}.
 *
 * <p>Threading: immutable.
 */
public final class RoomcastException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;

    public RoomcastException(String code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
