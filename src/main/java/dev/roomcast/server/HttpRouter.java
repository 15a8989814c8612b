package dev.roomcast.server;

import dev.roomcast.protocol.RoomNames;
import dev.roomcast.protocol.SeedText;
import dev.roomcast.security.Principal;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.util.List;

/**
 * Routes each HTTP request by method and path: the chat page, health, and the WebSocket
 * endpoints, which it validates and then upgrades by installing Netty's WebSocket protocol
 * handler and the endpoint in its place. Stateless, shared by every connection.
 */
@ChannelHandler.Sharable
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final ServerContext context;

    HttpRouter(ServerContext context) {
        this.context = context;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            HttpResponses.text(ctx, request, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
            return;
        }
        String path = new QueryStringDecoder(request.uri()).rawPath();
        StaticPage.Asset asset = context.page().find(path);
        if (asset != null) {
            if (requireGet(ctx, request)) {
                HttpResponses.send(ctx, request, HttpResponseStatus.OK, asset.contentType(), asset.body());
            }
        } else if (path.equals("/healthz")) {
            if (requireGet(ctx, request)) {
                HttpResponses.text(ctx, request, HttpResponseStatus.OK, "ok");
            }
        } else if (path.equals("/echo")) {
            upgrade(ctx, request, new TextEndpoint(null, principal(request), context));
        } else if (path.equals("/ws")) {
            upgrade(ctx, request, new TextEndpoint(SeedText.GLOBAL_ROOM, principal(request), context));
        } else if (path.equals("/v1/ws")) {
            upgrade(ctx, request, new JsonEndpoint(principal(request), context));
        } else if (path.startsWith("/ws/")) {
            RoomNames.Checked room = RoomNames.fromPathSegment(path.substring("/ws/".length()));
            if (!room.ok()) {
                HttpResponses.text(ctx, request, HttpResponseStatus.BAD_REQUEST, "invalid room name: " + room.refusal());
                return;
            }
            upgrade(ctx, request, new TextEndpoint(room.name(), principal(request), context));
        } else {
            HttpResponses.text(ctx, request, HttpResponseStatus.NOT_FOUND, "no such path: " + path);
        }
    }

    /**
     * Who the upgrading client acts for. Anonymous for now: a generated guest name, or the
     * display name given with {@code ?name=}.
     */
    private Principal principal(FullHttpRequest request) {
        List<String> names = new QueryStringDecoder(request.uri()).parameters().getOrDefault("name", List.of());
        String name = names.isEmpty() || names.get(0).isBlank() ? context.identities().guestName() : names.get(0).strip();
        return Principal.anonymous(name);
    }

    private static boolean requireGet(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method())) {
            return true;
        }
        HttpResponses.text(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED,
                request.method() + " is not allowed here; use GET");
        return false;
    }

    /**
     * Hands a WebSocket request to Netty's handshake: installs the protocol handler for exactly
     * this URI, the aggregator for fragmented messages and the endpoint, then passes the request on.
     */
    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, ChannelInboundHandler endpoint) {
        if (!HttpMethod.GET.equals(request.method())) {
            HttpResponses.text(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed here; open a WebSocket with GET");
            return;
        }
        if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            HttpResponses.text(ctx, request, HttpResponseStatus.BAD_REQUEST,
                    "this is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket)");
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
        if (context.connections().draining()) {
            HttpResponses.text(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "server is shutting down; connect to another node");
            return;
        }
        int maxMessage = context.config().maxMessageBytes();
        WebSocketServerProtocolConfig protocol = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(request.uri())
                .checkStartsWith(false)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxMessage)
                        .allowExtensions(false)
                        .withUTF8Validator(true)
                        .closeOnProtocolViolation(true)
                        .build())
                .build();
        ctx.pipeline()
                .addAfter(ctx.name(), "ws-protocol", new WebSocketServerProtocolHandler(protocol))
                .addAfter("ws-protocol", "ws-aggregator", new WebSocketFrameAggregator(maxMessage))
                .addAfter("ws-aggregator", "endpoint", endpoint);
        ctx.fireChannelRead(request.retain());
        ctx.pipeline().remove(this);
    }
}
