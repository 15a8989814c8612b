package dev.roomcast.server;

import dev.roomcast.config.Namespace;
import dev.roomcast.hooks.ConnectCall;
import dev.roomcast.hooks.ConnectVerdict;
import dev.roomcast.metrics.UpgradeRejection;
import dev.roomcast.protocol.RoomNames;
import dev.roomcast.protocol.SeedText;
import dev.roomcast.security.Principal;
import dev.roomcast.security.RoomPermissions;
import dev.roomcast.server.api.AdminAccess;
import dev.roomcast.server.api.AdminApi;
import dev.roomcast.server.api.OpenApiDocument;
import dev.roomcast.server.api.RoomsApi;
import dev.roomcast.server.gate.UpgradeGate;
import dev.roomcast.server.websocket.AggregatedLog;
import dev.roomcast.server.websocket.JsonEndpoint;
import dev.roomcast.server.websocket.ServerContext;
import dev.roomcast.server.websocket.TextEndpoint;
import dev.roomcast.server.websocket.WebSocketEndpoint;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Routes each HTTP request by method and path: the chat page, health, readiness, metrics, the HTTP
 * API (whose own route table is in {@link RoomsApi}) and the WebSocket endpoints, which it
 * validates, passes through the {@link UpgradeGate} and then upgrades with {@link WebSocketUpgrade},
 * which puts the endpoint in its place.
 *
 * <p>Threading: stateless, shared by every connection's event loop.
 */
@ChannelHandler.Sharable
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);
    private static final AggregatedLog unexpected = new AggregatedLog(log, Level.WARN, AggregatedLog.INTERVAL);

    private static final String NOT_A_HANDSHAKE = "this is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket)";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final ServerContext context;
    private final StaticPage page;
    private final RoomsApi roomsApi;
    private final AdminApi adminApi;
    private final WebSocketUpgrade webSockets;
    private final ApiAccessLog accessLog;
    private final OpenApiDocument openApi = new OpenApiDocument();

    HttpRouter(ServerContext context, StaticPage page) {
        this.context = context;
        this.page = page;
        AdminAccess admins = new AdminAccess(context.config());
        this.roomsApi = new RoomsApi(context.hub(), context.config(), admins);
        this.adminApi = new AdminApi(context.hub(), context.metrics(), admins, context.identities().nodeId(),
                context.connections()::count);
        this.accessLog = new ApiAccessLog(context.metrics());
        this.webSockets = new WebSocketUpgrade(context.config());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            HttpResponses.text(ctx, request, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.rawPath();
        if (!RoomsApi.serves(path) && !RoomsApi.decodes(uri)) {
            // The API answers this in JSON, like all its errors.
            HttpResponses.text(ctx, request, HttpResponseStatus.BAD_REQUEST, "malformed query string: bad percent-encoding");
            return;
        }
        StaticPage.Asset asset = page.find(path);
        if (asset != null) {
            if (requireGet(ctx, request)) {
                HttpResponses.send(ctx, request, HttpResponseStatus.OK, asset.contentType(), asset.body());
            }
        } else if (path.equals("/healthz")) {
            if (requireGet(ctx, request)) {
                HttpResponses.text(ctx, request, HttpResponseStatus.OK, "ok");
            }
        } else if (path.equals("/readyz")) {
            if (requireGet(ctx, request)) {
                readiness(ctx, request);
            }
        } else if (path.equals("/metrics")) {
            if (requireGet(ctx, request)) {
                HttpResponses.send(ctx, request, HttpResponseStatus.OK, PROMETHEUS_TEXT,
                        context.metrics().scrape().getBytes(StandardCharsets.UTF_8));
            }
        } else if (path.equals(OpenApiDocument.PATH)) {
            if (requireGet(ctx, request)) {
                HttpResponses.send(ctx, request, HttpResponseStatus.OK, "application/json", openApi.body());
            }
        } else if (path.equals("/echo")) {
            upgrade(ctx, request, uri, null, principal -> new TextEndpoint(null, principal, context));
        } else if (path.equals("/ws")) {
            upgrade(ctx, request, uri, SeedText.GLOBAL_ROOM,
                    principal -> new TextEndpoint(SeedText.GLOBAL_ROOM, principal, context));
        } else if (path.equals("/v1/ws")) {
            upgrade(ctx, request, uri, null, principal -> new JsonEndpoint(principal, context, ctx.executor()));
        } else if (AdminApi.serves(path)) {
            adminApi.handle(request).thenAccept(answerApi(ctx, request, path));
        } else if (RoomsApi.serves(path)) {
            roomsApi.handle(request).thenAccept(answerApi(ctx, request, roomsApi.routeOf(path)));
        } else if (path.startsWith("/ws/")) {
            RoomNames.Checked room = RoomNames.fromPathSegment(path.substring("/ws/".length()));
            if (!room.ok()) {
                HttpResponses.text(ctx, request, HttpResponseStatus.BAD_REQUEST, "invalid room name: " + room.refusal());
                return;
            }
            Namespace rules = context.config().namespaces().of(room.name());
            if (rules.joinHook() != null || rules.publishHook() != null) {
                // The text endpoints do not ask hooks: a hooked room must not be reachable through them.
                HttpResponses.text(ctx, request, HttpResponseStatus.FORBIDDEN, "room " + room.name()
                        + " is checked by the application's hooks: join it on /v1/ws");
                return;
            }
            // Interned: every member of a room then shares one copy of its name, not one per connection.
            String name = room.name().intern();
            upgrade(ctx, request, uri, name, principal -> new TextEndpoint(name, principal, context));
        } else {
            HttpResponses.text(ctx, request, HttpResponseStatus.NOT_FOUND, "no such path: " + path);
        }
    }

    /**
     * What sends an HTTP API answer to {@code request} and logs it; the answer takes ownership of the
     * response, on any thread. What it needs of the request is read now: the request is released when
     * the router returns, before an answer that waits for the broker is written.
     */
    private Consumer<FullHttpResponse> answerApi(ChannelHandlerContext ctx, FullHttpRequest request, String route) {
        long start = System.nanoTime();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpMethod method = request.method();
        String uri = request.uri();
        return response -> {
            int status = response.status().code();
            HttpResponses.send(ctx, keepAlive, response);
            accessLog.answered(ctx.channel(), method, uri, route, status, start);
        };
    }

    /**
     * Ready when the broker is reachable and the node is not draining; load balancers stop routing here otherwise.
     * Parts of the broker that do not answer (a Redis Cluster shard) are named but keep the node ready: every node
     * sees them alike, and taking all out would stop every room instead of that shard's.
     */
    private void readiness(ChannelHandlerContext ctx, FullHttpRequest request) {
        List<String> silent = context.hub().brokerSilentParts();
        if (context.connections().draining()) {
            HttpResponses.text(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: draining");
        } else if (!context.hub().brokerReady()) {
            HttpResponses.text(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: broker unreachable");
        } else if (!silent.isEmpty()) {
            HttpResponses.text(ctx, request, HttpResponseStatus.OK, "ready: Redis Cluster masters not answering: "
                    + String.join(", ", silent) + " (the rooms of their slots pause)");
        } else {
            HttpResponses.text(ctx, request, HttpResponseStatus.OK, "ready");
        }
    }

    /**
     * Failures before the upgrade. A client speaking plain HTTP to the TLS port, failing the TLS
     * handshake or resetting the connection is its own doing and logged at debug; anything else is
     * a bug, logged at warn (rate-limited: a client must not be able to flood the log with it). The
     * connection is closed either way.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException || cause instanceof IOException) {
            log.debug("{}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            unexpected.log(ctx.channel().remoteAddress(), "closing after unexpected error", cause);
        }
        ctx.close();
    }

    /** GET and HEAD pass (Netty's codec leaves the body out of a HEAD answer); anything else is answered 405. */
    private static boolean requireGet(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method())) {
            return true;
        }
        methodNotAllowed(ctx, request, "GET, HEAD", "use GET");
        return false;
    }

    /** 405 with the {@code Allow} header RFC 9110 requires. */
    private static void methodNotAllowed(ChannelHandlerContext ctx, FullHttpRequest request, String allowed, String hint) {
        FullHttpResponse response = HttpResponses.textResponse(HttpResponseStatus.METHOD_NOT_ALLOWED,
                request.method() + " is not allowed here; " + hint);
        response.headers().set(HttpHeaderNames.ALLOW, allowed);
        HttpResponses.send(ctx, request, response);
    }

    /**
     * A plain GET on a WebSocket path: the refusal an upgrade with the same origin, token, room and (with
     * {@code --hook-connect}) connect hook's answer would get (401, 403, the hook's 4xx, 503), else 400. Browsers
     * see a refused upgrade only as close code 1006, so roomcast.js asks this way whether retrying can help
     * (docs/protocol.md, "Client behaviour"). The answer may be read from any origin: it tells the caller only
     * about the token and cookies it sent.
     */
    private void answerPlainGet(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, String room) {
        if (context.gate().preflight(request, uri, room) instanceof UpgradeGate.Refused refused) {
            sendProbeAnswer(ctx, request, refused.status(), refused.reason());
        } else if (context.hooks().checksConnects()) {
            askConnectHook(ctx, request, uri, (verdict, failure) -> {
                HookRefusal refusal = HookRefusal.of(verdict, failure, room);
                if (refusal == null) {
                    sendProbeAnswer(ctx, request, HttpResponseStatus.BAD_REQUEST, NOT_A_HANDSHAKE);
                } else {
                    sendProbeAnswer(ctx, request, refusal.status(), refusal.reason());
                }
            });
        } else {
            sendProbeAnswer(ctx, request, HttpResponseStatus.BAD_REQUEST, NOT_A_HANDSHAKE);
        }
    }

    private static void sendProbeAnswer(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                                        String reason) {
        FullHttpResponse response = HttpResponses.textResponse(status, reason);
        response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        HttpResponses.send(ctx, request, response);
    }

    /**
     * Checks that a request to a WebSocket endpoint is a WebSocket handshake, passes it through the
     * {@link UpgradeGate} and hands it to {@link WebSocketUpgrade} with the endpoint made for the
     * admitted principal. {@code uri} is the request's URI, decoded once for every reader; {@code room} is the
     * room a text endpoint joins, or null.
     */
    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, String room,
                         Function<Principal, WebSocketEndpoint> endpoint) {
        if (!HttpMethod.GET.equals(request.method())) {
            methodNotAllowed(ctx, request, "GET", "open a WebSocket with GET");
            return;
        }
        if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            answerPlainGet(ctx, request, uri, room);
            return;
        }
        if (!request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            HttpResponses.text(ctx, request, HttpResponseStatus.BAD_REQUEST,
                    "not a WebSocket handshake: the Connection header must include Upgrade");
            return;
        }
        if (!WebSocketVersion.V13.toHttpHeaderValue().equals(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
            // Answered here, not by Netty: its 426 leaves the connection half-upgraded (no router,
            // no handshake timeout), and without a version header it would speak the 2010 draft.
            FullHttpResponse response = HttpResponses.textResponse(HttpResponseStatus.UPGRADE_REQUIRED,
                    "unsupported WebSocket version: this server speaks RFC 6455 (Sec-WebSocket-Version: 13)");
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, WebSocketVersion.V13.toHttpHeaderValue());
            HttpResponses.send(ctx, request, response);
            return;
        }
        if (!request.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
            HttpResponses.text(ctx, request, HttpResponseStatus.BAD_REQUEST,
                    "not a WebSocket handshake: the Sec-WebSocket-Key header is missing");
            return;
        }
        UpgradeGate.Decision decision = context.gate().check(ctx.channel(), request, uri, room);
        if (decision instanceof UpgradeGate.Refused refused) {
            context.notices().count("upgrades refused (" + refused.rejection().tag() + ")");
            HttpResponses.text(ctx, request, refused.status(), refused.reason());
            return;
        }
        Principal principal = ((UpgradeGate.Admitted) decision).principal();
        if (context.hooks().checksConnects()) {
            upgradeIfTheHookAllows(ctx, request, uri, room, endpoint);
            return;
        }
        webSockets.upgrade(ctx, request, principal, endpoint.apply(principal));
    }

    /** Why the connect hook's answer keeps a connection out of {@code room}, or null when it lets it in. */
    private record HookRefusal(HttpResponseStatus status, String reason, UpgradeRejection rejection) {

        static HookRefusal of(ConnectVerdict verdict, Throwable failure, String room) {
            if (verdict instanceof ConnectVerdict.Allowed allowed) {
                return room == null || RoomPermissions.matching(allowed.rooms()).allows(room) ? null
                        : new HookRefusal(HttpResponseStatus.FORBIDDEN, "you may not join room " + room, UpgradeRejection.HOOK_REFUSED);
            }
            if (verdict instanceof ConnectVerdict.Refused refused) {
                return new HookRefusal(HttpResponseStatus.valueOf(refused.status()), refused.reason(), UpgradeRejection.HOOK_REFUSED);
            }
            String reason = failure != null ? "the connect hook failed" : ((ConnectVerdict.Unavailable) verdict).reason();
            return new HookRefusal(HttpResponseStatus.SERVICE_UNAVAILABLE, reason + "; try again later", UpgradeRejection.HOOK_UNAVAILABLE);
        }
    }

    /**
     * Upgrades for the principal the connect hook answers with, or answers its refusal, or 503 when it gives
     * no usable answer (fail closed).
     */
    private void upgradeIfTheHookAllows(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri,
                                        String room, Function<Principal, WebSocketEndpoint> endpoint) {
        askConnectHook(ctx, request, uri, (verdict, failure) -> {
            HookRefusal refusal = HookRefusal.of(verdict, failure, room);
            if (refusal == null) {
                ConnectVerdict.Allowed allowed = (ConnectVerdict.Allowed) verdict;
                Principal principal = new Principal(allowed.user(), allowed.name(), RoomPermissions.matching(allowed.rooms()),
                        RoomPermissions.matching(allowed.publish()), null);
                webSockets.upgrade(ctx, request, principal, endpoint.apply(principal));
            } else {
                refuseUpgrade(ctx, refusal.status(), refusal.reason(), refusal.rejection());
            }
        });
    }

    /**
     * Asks the connect hook about the request and hands its answer to {@code then} on the channel's loop. Reads
     * nothing more from the client meanwhile; the request is kept until {@code then} has run.
     */
    private void askConnectHook(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri,
                                BiConsumer<ConnectVerdict, Throwable> then) {
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(header -> headers.putIfAbsent(header.getKey().toLowerCase(Locale.ROOT), header.getValue()));
        String rawQuery = uri.rawQuery();
        ConnectCall call = new ConnectCall(context.gate().clientAddress(ctx.channel(), request), uri.rawPath(), rawQuery, headers);
        request.retain();
        ctx.channel().config().setAutoRead(false);
        context.hooks().connect(call).whenComplete((verdict, failure) -> ctx.executor().execute(() -> {
            try {
                ctx.channel().config().setAutoRead(true);
                then.accept(verdict, failure);
            } finally {
                request.release();
            }
        }));
    }

    /** A refusal after the gate admitted the upgrade (and took its connection slot): answered, then closed. */
    private void refuseUpgrade(ChannelHandlerContext ctx, HttpResponseStatus status, String reason, UpgradeRejection rejection) {
        context.metrics().upgradeRejected(rejection);
        context.notices().count("upgrades refused (" + rejection.tag() + ")");
        HttpResponses.send(ctx, false, HttpResponses.textResponse(status, reason));
    }
}
