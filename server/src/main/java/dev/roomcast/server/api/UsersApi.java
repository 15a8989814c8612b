package dev.roomcast.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.roomcast.hub.Hub;
import dev.roomcast.protocol.PublishRequest;
import dev.roomcast.protocol.UserNames;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The HTTP API's routes under {@code /v1/users/{user}} (docs/protocol.md, "HTTP API"): a direct message to
 * every session of a user, closing them, and what the user is connected to. {@link RoomsApi} routes and
 * authenticates the requests; these handlers get the checked user name.
 *
 * <p>Threading: immutable; shared by every connection.
 */
final class UsersApi {

    /** The most UTF-8 bytes of a close reason: a Close frame's body holds 125, two of which are the code. */
    static final int MAX_REASON_BYTES = 123;
    private static final String DEFAULT_REASON = "disconnected";

    private final Hub hub;
    private final PublishRequest texts;

    UsersApi(Hub hub, PublishRequest texts) {
        this.hub = hub;
        this.texts = texts;
    }

    /** {@code POST /v1/users/{user}/messages}, body {@code {"text": …}}: 202, or 404 when the user is connected nowhere. */
    CompletionStage<FullHttpResponse> message(FullHttpRequest request, String user) {
        JsonNode body = jsonObject(request);
        if (body == null) {
            return done(ApiResponses.error(ApiError.BAD_JSON, "the body must be a JSON object {\"text\": …}"));
        }
        JsonNode text = body.get("text");
        if (text == null || text.isNull()) {
            return done(ApiResponses.error(ApiError.MISSING_FIELD, "text is required"));
        }
        if (!text.isTextual()) {
            return done(ApiResponses.error(ApiError.INVALID_FIELD, "text must be a string"));
        }
        String checked;
        try {
            checked = texts.text(text.textValue());
        } catch (PublishRequest.Refusal refusal) {
            return done(ApiResponses.error(ApiError.of(refusal.code()), refusal.getMessage()));
        }
        return hub.broadcastToUser(UserNames.API_USER, user, checked).thenApply(delivered -> delivered
                ? ApiResponses.json(HttpResponseStatus.ACCEPTED, json -> json.writeStringField("user", user))
                : noSuchUser(user));
    }

    /**
     * {@code POST /v1/users/{user}/disconnect}, optional body {@code {"reason": …, "reconnect": false}}: closes
     * the user's sessions with 4000 (4001 with {@code reconnect:false}); 200, or 404 when it has none.
     */
    CompletionStage<FullHttpResponse> disconnect(FullHttpRequest request, String user) {
        JsonNode body = request.content().isReadable() ? jsonObject(request) : JsonNodeFactory.instance.objectNode();
        if (body == null) {
            return done(ApiResponses.error(ApiError.BAD_JSON, "the body must be empty or a JSON object"));
        }
        JsonNode reasonField = body.path("reason");
        JsonNode reconnectField = body.path("reconnect");
        if (!reasonField.isMissingNode() && !reasonField.isTextual()
                || reasonField.isTextual() && reasonField.textValue().getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            return done(ApiResponses.error(ApiError.INVALID_FIELD,
                    "reason must be a string of at most " + MAX_REASON_BYTES + " UTF-8 bytes"));
        }
        if (!reconnectField.isMissingNode() && !reconnectField.isBoolean()) {
            return done(ApiResponses.error(ApiError.INVALID_FIELD, "reconnect must be true or false"));
        }
        String reason = reasonField.isTextual() ? reasonField.textValue() : DEFAULT_REASON;
        boolean reconnect = !reconnectField.isBoolean() || reconnectField.booleanValue();
        return hub.disconnectUser(user, reason, reconnect).thenApply(held -> held
                ? ApiResponses.json(HttpResponseStatus.OK, json -> {
                    json.writeStringField("user", user);
                    json.writeBooleanField("reconnect", reconnect);
                })
                : noSuchUser(user));
    }

    /** {@code GET /v1/users/{user}}: whether the user is online on any node, with how many sessions, in which rooms. */
    CompletionStage<FullHttpResponse> summary(FullHttpRequest request, String user) {
        return hub.user(user).thenApply(summary -> ApiResponses.json(HttpResponseStatus.OK, json -> {
            json.writeStringField("user", user);
            json.writeBooleanField("online", summary.online());
            json.writeNumberField("sessions", summary.sessions());
            json.writeArrayFieldStart("rooms");
            for (String room : summary.rooms()) {
                json.writeString(room);
            }
            json.writeEndArray();
        }));
    }

    private static FullHttpResponse noSuchUser(String user) {
        return ApiResponses.error(ApiError.NO_SUCH_USER, "user " + user + " has no JSON session on any node");
    }

    /** The body as a JSON object, or null when it is not one. */
    static JsonNode jsonObject(FullHttpRequest request) {
        try {
            JsonNode body = PublishRequest.parse(request.content().toString(StandardCharsets.UTF_8));
            return body != null && body.isObject() ? body : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private static CompletionStage<FullHttpResponse> done(FullHttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
