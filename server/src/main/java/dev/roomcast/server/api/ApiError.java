package dev.roomcast.server.api;

import dev.roomcast.protocol.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Every error the HTTP API answers with: its status and the stable {@code error} code of the JSON
 * body. docs/protocol.md lists them.
 */
enum ApiError {
    BAD_JSON(HttpResponseStatus.BAD_REQUEST, "bad_json"),
    MISSING_FIELD(HttpResponseStatus.BAD_REQUEST, "missing_field"),
    INVALID_FIELD(HttpResponseStatus.BAD_REQUEST, "invalid_field"),
    INVALID_ROOM(HttpResponseStatus.BAD_REQUEST, "invalid_room"),
    INVALID_QUERY(HttpResponseStatus.BAD_REQUEST, "invalid_query"),
    UNAUTHORIZED(HttpResponseStatus.UNAUTHORIZED, "unauthorized"),
    FORBIDDEN(HttpResponseStatus.FORBIDDEN, "forbidden"),
    NOT_FOUND(HttpResponseStatus.NOT_FOUND, "not_found"),
    NO_SUCH_USER(HttpResponseStatus.NOT_FOUND, "no_such_user"),
    INVALID_USER(HttpResponseStatus.BAD_REQUEST, "invalid_user"),
    METHOD_NOT_ALLOWED(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed"),
    TEXT_TOO_LONG(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "text_too_long"),
    DATA_TOO_LONG(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "data_too_long"),
    UNSUPPORTED_MEDIA_TYPE(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
    INTERNAL(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal"),
    UNKNOWN_OUTCOME(HttpResponseStatus.GATEWAY_TIMEOUT, "unknown_outcome");

    private final HttpResponseStatus status;
    private final String code;

    /** The HTTP error of a publish field the JSON protocol refuses with {@code code}: the same code, its status. */
    static ApiError of(ErrorCode code) {
        return switch (code) {
            case MISSING_FIELD -> MISSING_FIELD;
            case TEXT_TOO_LONG -> TEXT_TOO_LONG;
            case DATA_TOO_LONG -> DATA_TOO_LONG;
            default -> INVALID_FIELD;
        };
    }

    ApiError(HttpResponseStatus status, String code) {
        this.status = status;
        this.code = code;
    }

    HttpResponseStatus status() {
        return status;
    }

    String code() {
        return code;
    }
}
