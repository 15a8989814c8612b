package dev.roomcast.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.config.Namespaces;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.hub.Hub;
import dev.roomcast.hub.Publication;
import dev.roomcast.protocol.JsonEvents;
import dev.roomcast.protocol.PublishRequest;
import dev.roomcast.protocol.RoomNames;
import dev.roomcast.protocol.Page;
import dev.roomcast.protocol.ServerFrames;
import dev.roomcast.protocol.UserNames;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.OutcomeUnknownException;
import dev.roomcast.room.Payload;
import dev.roomcast.room.Position;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.room.RoomEvent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * The HTTP API under {@code /v1/rooms} (docs/protocol.md, "HTTP API"): a table of routes, the
 * bearer-key check, and the handlers, which publish through and read from the hub. Immutable;
 * shared by every connection.
 */
public final class RoomsApi {

    /** The default and the largest {@code limit} of the routes that answer lists: rooms, history. */
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = Page.MAX_LIMIT;
    private static final String ROOM = "{room}";
    private static final String USER = "{user}";
    /** The most messages one {@code POST /v1/publish} may carry. */
    static final int MAX_BATCH = 100;
    /** The header that makes a publish idempotent, as {@code idempotency_key} does in the JSON protocol. */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /** Answers one request to a route; {@code name} is the decoded, checked room or user name of the path, or null. */
    @FunctionalInterface
    private interface Handler {
        CompletionStage<FullHttpResponse> handle(FullHttpRequest request, String name);
    }

    /**
     * One route: a method and a path template in which {@code {room}} or {@code {user}} stands for one
     * percent-encoded room name. {@code publishes} routes need the API key even when reads do not.
     */
    private record Route(HttpMethod method, String template, boolean publishes, Handler handler) {
        /** The path's segment at the name's place, "" for templates without one, or null when the path does not match. */
        String match(String[] path) {
            String[] parts = template.split("/");
            if (parts.length != path.length) {
                return null;
            }
            String name = "";
            for (int i = 0; i < parts.length; i++) {
                if (parts[i].equals(ROOM) || parts[i].equals(USER)) {
                    name = path[i];
                } else if (!parts[i].equals(path[i])) {
                    return null;
                }
            }
            return name;
        }
    }

    private final List<Route> routes;

    private final Hub hub;
    private final AdminAccess admins;
    private final byte[] apiKey;
    /** With client authentication on, rooms are private, so reads need the key like publishing does. */
    private final boolean readsNeedKey;
    private final PublishRequest publishes;
    private final Namespaces namespaces;

    /** {@code admins} may use every route, publishing included, with the credentials of the admin page. */
    public RoomsApi(Hub hub, RoomcastConfig config, AdminAccess admins) {
        this.hub = hub;
        this.admins = admins;
        this.apiKey = config.auth().apiKey() == null ? null : config.auth().apiKey().getBytes(StandardCharsets.UTF_8);
        this.readsNeedKey = config.auth().enabled();
        this.publishes = new PublishRequest(config.limits().maxPayloadBytes());
        this.namespaces = config.namespaces();
        UsersApi users = new UsersApi(hub, publishes);
        this.routes = List.of(
                new Route(HttpMethod.GET, "/v1/rooms", false, this::rooms),
                new Route(HttpMethod.POST, "/v1/rooms/{room}/messages", true, this::publish),
                new Route(HttpMethod.GET, "/v1/rooms/{room}/presence", false, this::presence),
                new Route(HttpMethod.GET, "/v1/rooms/{room}/history", false, this::history),
                new Route(HttpMethod.POST, "/v1/publish", true, this::publishBatch),
                new Route(HttpMethod.GET, "/v1/users/{user}", false, users::summary),
                new Route(HttpMethod.POST, "/v1/users/{user}/messages", true, users::message),
                new Route(HttpMethod.POST, "/v1/users/{user}/disconnect", true, users::disconnect));
    }

    /** Every route as (method, template), in the table's order: what the OpenAPI document must describe. */
    public List<Map.Entry<String, String>> routeTable() {
        return routes.stream().map(r -> Map.entry(r.method().name(), r.template())).toList();
    }

    /**
     * Whether the query's percent-encoding decodes. Every reader of a query relies on this check
     * having passed: Netty's decoder throws on a malformed escape.
     */
    public static boolean decodes(QueryStringDecoder uri) {
        try {
            uri.parameters();
            return true;
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    /**
     * The route template a path falls under ({@code /v1/rooms/{room}/history}), for metrics and logs
     * that must not carry a room name; {@code /v1/rooms/…} for a path that matches no route.
     */
    public String routeOf(String path) {
        String[] segments = path.split("/", -1);
        return routes.stream().filter(r -> r.match(segments) != null).map(Route::template).findFirst()
                .orElse("/v1/rooms/…");
    }

    /** Whether a path belongs to this API, so the router hands its requests here. */
    public static boolean serves(String path) {
        return path.equals("/v1/rooms") || path.startsWith("/v1/rooms/") || path.equals("/v1/publish")
                || path.startsWith("/v1/users/");
    }

    /**
     * Answers a request. Borrows {@code request}: everything needed from it is read before this
     * returns. Returns a stage of a response the caller takes ownership of and writes.
     */
    public CompletionStage<FullHttpResponse> handle(FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        if (!decodes(uri)) {
            return done(ApiResponses.error(ApiError.INVALID_QUERY, "the query string is not valid percent-encoding"));
        }
        String path = uri.rawPath();
        String[] segments = path.split("/", -1);
        List<Route> matching = routes.stream().filter(r -> r.match(segments) != null).toList();
        if (matching.isEmpty()) {
            return done(ApiResponses.error(ApiError.NOT_FOUND, "no such path: " + path));
        }
        // HEAD is GET without the body, which Netty's codec leaves out.
        HttpMethod method = HttpMethod.HEAD.equals(request.method()) ? HttpMethod.GET : request.method();
        Route route = matching.stream().filter(r -> r.method().equals(method)).findFirst().orElse(null);
        if (route == null) {
            String allowed = matching.stream()
                    .map(r -> HttpMethod.GET.equals(r.method()) ? "GET, HEAD" : r.method().name())
                    .collect(Collectors.joining(", "));
            FullHttpResponse refusal = ApiResponses.error(ApiError.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed here; use " + allowed);
            refusal.headers().set(HttpHeaderNames.ALLOW, allowed);
            return done(refusal);
        }
        FullHttpResponse unauthorized = authenticate(request, route);
        if (unauthorized != null) {
            return done(unauthorized);
        }
        String name = null;
        String segment = route.match(segments);
        if (route.template().contains(ROOM)) {
            RoomNames.Checked checked = RoomNames.fromPathSegment(segment, true);
            if (!checked.ok()) {
                return done(ApiResponses.error(ApiError.INVALID_ROOM, "invalid room name: " + checked.refusal()));
            }
            name = checked.name();
        } else if (route.template().contains(USER)) {
            RoomNames.Checked checked = UserNames.fromPathSegment(segment);
            if (!checked.ok()) {
                return done(ApiResponses.error(ApiError.INVALID_USER, "invalid user name: " + checked.refusal()));
            }
            name = checked.name();
        }
        return route.handler().handle(request, name).exceptionally(RoomsApi::failed);
    }

    /** The answer to a request the broker failed. */
    private static FullHttpResponse failed(Throwable failure) {
        ApiError error = errorOf(failure);
        return ApiResponses.error(error, messageOf(error));
    }

    private static ApiError errorOf(Throwable failure) {
        return OutcomeUnknownException.isCauseOf(failure) ? ApiError.UNKNOWN_OUTCOME : ApiError.INTERNAL;
    }

    private static String messageOf(ApiError brokerFailure) {
        return brokerFailure == ApiError.UNKNOWN_OUTCOME
                ? "the broker did not confirm the publish in time: it may or may not have been published; retry with "
                        + "the same Idempotency-Key so it is delivered at most once"
                : "the server could not carry this out; try again";
    }

    /** Null when the request may proceed, else the 401 or 403 refusal. */
    private FullHttpResponse authenticate(FullHttpRequest request, Route route) {
        if (admins.admits(request)) {
            return null;
        }
        if (apiKey == null) {
            if (route.publishes()) {
                return ApiResponses.error(ApiError.FORBIDDEN, "publishing over HTTP is disabled: start roomcast with "
                        + "--api-key KEY (or ROOMCAST_API_KEY=KEY) and send the header 'Authorization: Bearer KEY'");
            }
            return readsNeedKey
                    ? ApiResponses.error(ApiError.FORBIDDEN, "with token authentication on, the HTTP API needs a key: start "
                            + "roomcast with --api-key KEY (or ROOMCAST_API_KEY=KEY) and send 'Authorization: Bearer KEY'")
                    : null;
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        byte[] presented = authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        if (MessageDigest.isEqual(presented, apiKey)) {
            return null;
        }
        FullHttpResponse refusal = ApiResponses.error(ApiError.UNAUTHORIZED,
                "send the API key as the header 'Authorization: Bearer KEY'");
        refusal.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"roomcast\"");
        return refusal;
    }

    /**
     * {@code POST /v1/rooms/{room}/messages}: body {@code {"text": …}} or {@code {"data": …}} (with
     * {@code event}, {@code store}) or text/plain, and an optional {@code Idempotency-Key} header; 202 with
     * the message's position (none for {@code store:false}).
     */
    private CompletionStage<FullHttpResponse> publish(FullHttpRequest request, String room) {
        if (!namespaces.of(room).apiPublishes()) {
            return done(ApiResponses.error(ApiError.FORBIDDEN, "nobody may publish in room " + room
                    + ": its namespace is publish: none"));
        }
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        String mime = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        Publication publication;
        try {
            String idempotencyKey = PublishRequest.idempotencyKey(request.headers().get(IDEMPOTENCY_KEY));
            if (mime.equals(HttpHeaderValues.APPLICATION_JSON.toString())) {
                JsonNode body;
                try {
                    body = PublishRequest.parse(request.content().toString(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    return done(ApiResponses.error(ApiError.BAD_JSON, "the body is not valid JSON"));
                }
                if (body == null || !body.isObject()) {
                    return done(ApiResponses.error(ApiError.MISSING_FIELD,
                            "the body must be a JSON object with a \"text\" string or \"data\""));
                }
                PublishRequest.Fields fields = publishes.read(body);
                publication = new Publication(UserNames.API_USER, fields.payload(), fields.store(), null, idempotencyKey);
            } else if (mime.equals(HttpHeaderValues.TEXT_PLAIN.toString())) {
                String text;
                try {
                    text = StandardCharsets.UTF_8.newDecoder().decode(request.content().nioBuffer()).toString();
                } catch (CharacterCodingException e) {
                    return done(ApiResponses.error(ApiError.INVALID_FIELD, "a text/plain body must be UTF-8"));
                }
                publication = new Publication(UserNames.API_USER, Payload.text(publishes.text(text)), true, null, idempotencyKey);
            } else {
                return done(ApiResponses.error(ApiError.UNSUPPORTED_MEDIA_TYPE,
                        "send Content-Type: application/json with {\"text\": …} or {\"data\": …}, or text/plain"));
            }
        } catch (PublishRequest.Refusal refusal) {
            return done(ApiResponses.error(ApiError.of(refusal.code()), refusal.getMessage()));
        }
        return hub.broadcast(room, publication).thenApply(position -> ApiResponses.json(HttpResponseStatus.ACCEPTED,
                published(room, position)));
    }

    /**
     * {@code POST /v1/publish}, body {@code {"messages": [{"room": …, "text": …}, …]}} (each entry with the
     * fields of a single publish's JSON body, {@code idempotency_key} included): every entry is checked
     * before any is published, so a refused request publishes nothing. Entries of one room are published
     * one after the other, in the body's order; rooms run concurrently. 202 with one result per entry, in
     * order: its room and position, or its own {@code error} and {@code message} when the broker failed it.
     */
    private CompletionStage<FullHttpResponse> publishBatch(FullHttpRequest request, String unused) {
        JsonNode body = UsersApi.jsonObject(request);
        if (body == null) {
            return done(ApiResponses.error(ApiError.BAD_JSON, "the body must be a JSON object {\"messages\": [...]}"));
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty() || messages.size() > MAX_BATCH) {
            return done(ApiResponses.error(messages == null ? ApiError.MISSING_FIELD : ApiError.INVALID_FIELD,
                    "messages must be an array of 1 to " + MAX_BATCH + " objects"));
        }
        List<String> rooms = new ArrayList<>(messages.size());
        List<Publication> publications = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            JsonNode entry = messages.get(i);
            String where = "messages[" + i + "]: ";
            JsonNode room = entry.get("room");
            if (room == null || !room.isTextual()) {
                return done(ApiResponses.error(room == null ? ApiError.MISSING_FIELD : ApiError.INVALID_FIELD,
                        where + "room must be a string"));
            }
            RoomNames.Checked checked = RoomNames.check(room.textValue(), true);
            if (!checked.ok()) {
                return done(ApiResponses.error(ApiError.INVALID_ROOM, where + "invalid room name: " + checked.refusal()));
            }
            if (!namespaces.of(checked.name()).apiPublishes()) {
                return done(ApiResponses.error(ApiError.FORBIDDEN, where + "nobody may publish in room " + checked.name()
                        + ": its namespace is publish: none"));
            }
            try {
                PublishRequest.Fields fields = publishes.read(entry);
                rooms.add(checked.name());
                publications.add(new Publication(UserNames.API_USER, fields.payload(), fields.store(), null,
                        fields.idempotencyKey()));
            } catch (PublishRequest.Refusal refusal) {
                return done(ApiResponses.error(ApiError.of(refusal.code()), where + refusal.getMessage()));
            }
        }
        Map<String, CompletableFuture<?>> lastOfRoom = new HashMap<>();
        List<CompletableFuture<ApiResponses.Fields>> results = new ArrayList<>(rooms.size());
        for (int i = 0; i < rooms.size(); i++) {
            String room = rooms.get(i);
            Publication publication = publications.get(i);
            CompletableFuture<?> previous = lastOfRoom.getOrDefault(room, CompletableFuture.completedFuture(null));
            // The next entry of the room waits for this one whether it succeeds or fails.
            CompletableFuture<ApiResponses.Fields> result = previous.handle((done, failure) -> room)
                    .thenCompose(ready -> hub.broadcast(room, publication))
                    .handle((position, failure) -> failure == null ? published(room, position) : refused(room, failure));
            lastOfRoom.put(room, result);
            results.add(result);
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(all ->
                ApiResponses.json(HttpResponseStatus.ACCEPTED, json -> {
                    json.writeArrayFieldStart("results");
                    for (CompletableFuture<ApiResponses.Fields> result : results) {
                        json.writeStartObject();
                        result.join().write(json);
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                }));
    }

    /** The fields of one accepted publish: its room and position (none for {@code store:false}). */
    private static ApiResponses.Fields published(String room, Position position) {
        return json -> {
            json.writeStringField("room", room);
            if (position != null) {
                ServerFrames.writePosition(json, position);
            }
        };
    }

    /** The fields of one publish of a batch that the broker failed. */
    private static ApiResponses.Fields refused(String room, Throwable failure) {
        ApiError error = errorOf(failure);
        return json -> {
            json.writeStringField("room", room);
            json.writeStringField("error", error.code());
            json.writeStringField("message", messageOf(error));
        };
    }

    /**
     * {@code GET /v1/rooms?limit=N&cursor=C}: one page of the rooms with members on any node, with their
     * members on every node, sorted by name; {@code next} is the cursor of the page after it, absent on the last.
     */
    private CompletionStage<FullHttpResponse> rooms(FullHttpRequest request, String unused) {
        Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
        long limit = limit(query);
        if (limit < 0) {
            return done(invalidLimit());
        }
        String cursor = first(query, "cursor");
        return hub.roomsOfEveryNode().thenApply(all -> {
            Page page = Page.of(all, cursor, (int) limit);
            return ApiResponses.json(HttpResponseStatus.OK, json -> {
                ApiResponses.writeCounts(json, "rooms", "room", "members", page.entries());
                ServerFrames.writeNext(json, page);
            });
        });
    }

    /**
     * {@code GET /v1/rooms/{room}/presence?limit=N&cursor=C}: one page of the users in the room on every node,
     * with their session counts, sorted by user; at most {@link Page#MAX_LIMIT}, which is also the default. In a
     * count room, its members on every node instead.
     */
    private CompletionStage<FullHttpResponse> presence(FullHttpRequest request, String room) {
        Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
        String limitText = first(query, "limit");
        long limit = limitText == null ? Page.MAX_LIMIT : limit(query);
        if (limit < 0) {
            return done(invalidLimit());
        }
        String cursor = first(query, "cursor");
        if (namespaces.of(room).presence() == PresenceMode.COUNT) {
            return hub.occupancy(room).thenApply(members -> ApiResponses.json(HttpResponseStatus.OK, json -> {
                json.writeStringField("room", room);
                json.writeNumberField("members", members);
            }));
        }
        return hub.presence(room).thenApply(users -> {
            Page page = Page.of(new TreeMap<>(users), cursor, (int) limit);
            return ApiResponses.json(HttpResponseStatus.OK, json -> {
                json.writeStringField("room", room);
                ServerFrames.writeUsers(json, page.entries());
                ServerFrames.writeNext(json, page);
            });
        });
    }

    /** {@code GET /v1/rooms/{room}/history?since=EPOCH:OFFSET&limit=N}: messages after {@code since}, or the newest. */
    private CompletionStage<FullHttpResponse> history(FullHttpRequest request, String room) {
        Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
        Position since = null;
        String sinceText = first(query, "since");
        if (sinceText != null) {
            int colon = sinceText.lastIndexOf(':');
            long offset = colon > 0 ? parseLong(sinceText.substring(colon + 1)) : -1;
            if (offset < 0) {
                return done(ApiResponses.error(ApiError.INVALID_QUERY,
                        "since must be EPOCH:OFFSET as in a message, e.g. since=3kz1q8w0d2j7:41"));
            }
            since = new Position(sinceText.substring(0, colon), offset);
        }
        long limit = limit(query);
        if (limit < 0) {
            return done(invalidLimit());
        }
        return hub.history(room, since, (int) limit).thenApply(slice -> historyResponse(room, slice));
    }

    private static FullHttpResponse historyResponse(String room, HistorySlice slice) {
        return ApiResponses.json(HttpResponseStatus.OK, json -> {
            json.writeStringField("room", room);
            ServerFrames.writePosition(json, slice.current());
            json.writeBooleanField("complete", slice.complete());
            json.writeArrayFieldStart("messages");
            for (RoomEvent.Message message : slice.messages()) {
                json.writeRawValue(new String(JsonEvents.render(message), StandardCharsets.UTF_8));
            }
            json.writeEndArray();
        });
    }

    /** The query's {@code limit}, {@link #DEFAULT_LIMIT} when absent, or -1 when it is not 1 to {@link #MAX_LIMIT}. */
    private static long limit(Map<String, List<String>> query) {
        String text = first(query, "limit");
        long limit = text == null ? DEFAULT_LIMIT : parseLong(text);
        return limit < 1 || limit > MAX_LIMIT ? -1 : limit;
    }

    private static FullHttpResponse invalidLimit() {
        return ApiResponses.error(ApiError.INVALID_QUERY, "limit must be from 1 to " + MAX_LIMIT);
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The non-negative decimal number in {@code text}, or -1. */
    private static long parseLong(String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(text);
    }

    private static CompletionStage<FullHttpResponse> done(FullHttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
