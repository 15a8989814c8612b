package dev.roomcast.server.api;

import dev.roomcast.metrics.BuildInfo;
import dev.roomcast.hub.Hub;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.metrics.UpgradeRejection;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;

/**
 * The admin page ({@code GET /admin}) and the figures it shows ({@code GET /v1/stats}, JSON, also
 * for scripts), both behind {@link AdminAccess}: refused (403) when neither an admin password nor an
 * API key is configured, and asking for credentials (401, HTTP Basic) without them. The page reads
 * everything else through the HTTP API (presence, history, publishing), with the same credentials.
 *
 * <p>Threading: thread-safe; immutable apart from what it reads (hub, metrics, connection count).
 */
public final class AdminApi {

    /** Rooms listed in {@code top_rooms}, the ones with the most members on every node. */
    static final int TOP_ROOMS = 10;
    private static final String PAGE = "/admin";
    private static final String STATS = "/v1/stats";

    private final Hub hub;
    private final ServerMetrics metrics;
    private final AdminAccess access;
    private final String nodeId;
    private final IntSupplier connections;
    private final byte[] page = loadPage();

    public AdminApi(Hub hub, ServerMetrics metrics, AdminAccess access, String nodeId, IntSupplier connections) {
        this.hub = hub;
        this.metrics = metrics;
        this.access = access;
        this.nodeId = nodeId;
        this.connections = connections;
    }

    /** Whether a path is the admin page or the stats, so the router hands its requests here. */
    public static boolean serves(String path) {
        return path.equals(PAGE) || path.equals(STATS);
    }

    /**
     * Answers a request. Borrows {@code request}: everything needed from it is read before this
     * returns. Returns a stage of a response the caller takes ownership of and writes.
     */
    public CompletionStage<FullHttpResponse> handle(FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).rawPath();
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            FullHttpResponse refusal = ApiResponses.error(ApiError.METHOD_NOT_ALLOWED, request.method() + " is not allowed here; use GET");
            refusal.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return CompletableFuture.completedFuture(refusal);
        }
        if (!access.enabled()) {
            return CompletableFuture.completedFuture(ApiResponses.error(ApiError.FORBIDDEN, "the admin page is off: start roomcast with --admin-password "
                    + "(or ROOMCAST_ADMIN_PASSWORD) or --api-key, and log in with it as the password"));
        }
        if (!access.admits(request)) {
            FullHttpResponse refusal = ApiResponses.error(ApiError.UNAUTHORIZED,
                    "log in with the admin password or the API key (HTTP Basic, any user name), or send 'Authorization: Bearer KEY'");
            refusal.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"Roomcast admin\", charset=\"UTF-8\"");
            return CompletableFuture.completedFuture(refusal);
        }
        if (path.equals(PAGE)) {
            return CompletableFuture.completedFuture(pageResponse());
        }
        return hub.nodes().thenCombine(hub.roomsOfEveryNode(), this::stats).exceptionally(failure ->
                ApiResponses.error(ApiError.INTERNAL, "the node list could not be read from the broker; try again"));
    }

    /**
     * {@code GET /v1/stats}: this node's live figures, totals since it started, the nodes sharing its
     * rooms, and the rooms with the most members on all of them (another node's as of its last heartbeat).
     */
    private FullHttpResponse stats(Map<String, Integer> nodes, Map<String, Integer> roomsOfEveryNode) {
        ServerMetrics.Snapshot figures = metrics.snapshot();
        List<Map.Entry<String, Integer>> top = roomsOfEveryNode.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(TOP_ROOMS).toList();
        int open = connections.getAsInt();
        return ApiResponses.json(HttpResponseStatus.OK, json -> {
            json.writeStringField("node", nodeId);
            json.writeStringField("version", BuildInfo.version());
            json.writeNumberField("uptime_seconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
            json.writeNumberField("time_millis", System.currentTimeMillis());
            json.writeNumberField("connections", open);
            json.writeNumberField("rooms", hub.roomCount());
            json.writeNumberField("messages_in", figures.messagesIn());
            json.writeNumberField("deliveries", figures.deliveries());
            json.writeNumberField("delivery_latency_p50_seconds", figures.latencyP50Seconds());
            json.writeNumberField("delivery_latency_p99_seconds", figures.latencyP99Seconds());
            json.writeNumberField("slow_consumer_closes", figures.slowConsumerCloses());
            json.writeNumberField("rate_limited_messages", figures.rateLimitedMessages());
            json.writeObjectFieldStart("upgrades_refused");
            for (Map.Entry<UpgradeRejection, Long> refused : figures.refusedUpgrades().entrySet()) {
                json.writeNumberField(refused.getKey().tag(), refused.getValue());
            }
            json.writeEndObject();
            ApiResponses.writeCounts(json, "nodes", "node", "connections", nodes.entrySet());
            ApiResponses.writeCounts(json, "top_rooms", "room", "members", top);
        });
    }

    private FullHttpResponse pageResponse() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(page));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, page.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        return response;
    }

    private static byte[] loadPage() {
        try (InputStream in = AdminApi.class.getResourceAsStream("/web/admin.html")) {
            if (in == null) {
                throw new IllegalStateException("web/admin.html is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
