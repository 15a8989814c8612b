package dev.roomcast.server.gate;

import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.metrics.UpgradeRejection;
import dev.roomcast.protocol.UserNames;
import dev.roomcast.security.ConnectionLimits;
import dev.roomcast.security.OriginPolicy;
import dev.roomcast.security.Principal;
import dev.roomcast.security.RoomPermissions;
import dev.roomcast.security.TokenVerifier;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Everything a WebSocket upgrade must pass before the handshake, in one place and in this order:
 * draining (503), Origin (403), token (401) or chosen name (400), room permission (403), node capacity (503) and the
 * per-address cap (429). Refusals are one-line HTTP answers, counted by reason. The first four
 * also answer a plain GET on a WebSocket path ({@link #preflight}).
 *
 * <p>Threading: thread-safe (immutable configuration; the connection counts are atomic), shared by
 * every connection.
 */
public final class UpgradeGate {

    /** What the gate decided for one upgrade request. */
    public sealed interface Decision {
    }

    /** Let it through, acting for {@code principal}; the connection holds a slot until it closes. */
    public record Admitted(Principal principal) implements Decision {
    }

    /** Answer {@code status} with the one-line {@code reason} and do not upgrade. */
    public record Refused(HttpResponseStatus status, String reason, UpgradeRejection rejection) implements Decision {
    }

    private final RoomcastConfig config;
    /** The rooms of namespaces with {@code anonymous-join: true}, or null when there are none. */
    private final RoomPermissions anonymousRooms;
    /** Whether this node is draining, so refuses new WebSockets. */
    private final BooleanSupplier draining;
    private final Identities identities;
    private final ServerMetrics metrics;
    private final OriginPolicy origins;
    private final ConnectionLimits limits;
    /** Null when authentication is off. */
    private final TokenVerifier tokens;
    /** Gives back the slot of a connection not counted by address; one listener for all of them. */
    private final ChannelFutureListener releaseSlot;

    public UpgradeGate(RoomcastConfig config, BooleanSupplier draining, Identities identities, ServerMetrics metrics) {
        this.config = config;
        List<String> anonymous = config.namespaces().anonymousRooms();
        this.anonymousRooms = anonymous.isEmpty() ? null : RoomPermissions.matching(anonymous);
        this.draining = draining;
        this.identities = identities;
        this.metrics = metrics;
        this.origins = new OriginPolicy(config.auth().allowedOrigins());
        this.limits = new ConnectionLimits(config.limits().maxConnections(), config.limits().maxConnectionsPerIp());
        this.tokens = tokenVerifier(config);
        this.releaseSlot = closed -> limits.release(null);
    }

    /**
     * Decides whether {@code request} may become a WebSocket on {@code channel}. {@code query} is its
     * URI as the router decoded it. {@code room} is the room a text endpoint joins, checked against the
     * principal's permissions, or null for endpoints that join rooms later (or never).
     */
    public Decision check(Channel channel, FullHttpRequest request, QueryStringDecoder query, String room) {
        Decision screened = preflight(request, query, room);
        if (screened instanceof Refused refused) {
            metrics.upgradeRejected(refused.rejection());
            return refused;
        }
        Principal principal = ((Admitted) screened).principal();
        // The address is only worked out, and kept until the connection closes, when it is counted.
        String address = limits.countsAddresses() ? clientAddress(channel, request) : null;
        switch (limits.tryAdmit(address)) {
            case AT_CAPACITY:
                return refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, "server is full; try again later or another node",
                        UpgradeRejection.CAPACITY);
            case TOO_MANY_FROM_ADDRESS:
                return refuse(HttpResponseStatus.TOO_MANY_REQUESTS, "too many connections from " + address,
                        UpgradeRejection.PER_IP_LIMIT);
            case ADMITTED:
            default:
                channel.closeFuture().addListener(address == null ? releaseSlot : closed -> limits.release(address));
                return screened;
        }
    }

    /**
     * What an upgrade with this request's origin, token and room would be told, without taking a
     * connection slot or counting a rejection: the answer to a plain GET on a WebSocket path, which
     * lets a browser (to which a refused upgrade is only close code 1006) learn why it was refused.
     * These are the checks that need no connection slot: draining, Origin, token, room permission.
     * {@code query} is the request's URI, decoded once by the router.
     */
    public Decision preflight(FullHttpRequest request, QueryStringDecoder query, String room) {
        if (draining.getAsBoolean()) {
            return new Refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "server is shutting down; connect to another node",
                    UpgradeRejection.DRAINING);
        }
        if (!origins.allows(request.headers().get(HttpHeaderNames.ORIGIN), request.headers().get(HttpHeaderNames.HOST))) {
            return new Refused(HttpResponseStatus.FORBIDDEN, "origin not allowed: " + request.headers().get(HttpHeaderNames.ORIGIN),
                    UpgradeRejection.ORIGIN);
        }
        Principal principal;
        String token = tokens == null ? null : token(request, query);
        if (tokens == null) {
            String name = chosenName(query);
            String refusal = name == null ? null : UserNames.refusal(name);
            if (refusal != null) {
                return new Refused(HttpResponseStatus.BAD_REQUEST, refusal, UpgradeRejection.INVALID_NAME);
            }
            principal = Principal.anonymous(name == null ? identities.guestName() : name);
        } else if ((token == null || token.isBlank()) && anonymousRooms != null) {
            // Authentication is on, but some namespaces let clients without a token in: only their rooms,
            // under a generated guest name (a chosen one could pass for a token's user).
            principal = Principal.anonymous(identities.guestName(), anonymousRooms);
        } else {
            TokenVerifier.Result verified = tokens.verify(token);
            if (verified instanceof TokenVerifier.Refused refused) {
                return new Refused(HttpResponseStatus.UNAUTHORIZED, refused.reason(), UpgradeRejection.UNAUTHORIZED);
            }
            principal = ((TokenVerifier.Valid) verified).principal();
        }
        if (room != null && !principal.rooms().allows(room)) {
            return new Refused(HttpResponseStatus.FORBIDDEN, "your token does not allow room " + room,
                    UpgradeRejection.FORBIDDEN);
        }
        return new Admitted(principal);
    }

    /** Checks a token a connected client sends to refresh its credentials. */
    public TokenVerifier.Result verifyToken(String token) {
        return tokens == null ? new TokenVerifier.Refused("this server does not use tokens") : tokens.verify(token);
    }

    private Refused refuse(HttpResponseStatus status, String reason, UpgradeRejection rejection) {
        metrics.upgradeRejected(rejection);
        return new Refused(status, reason, rejection);
    }

    /** The name an unauthenticated client gave with {@code ?name=}, or null when it gave none (or a blank one). */
    private static String chosenName(QueryStringDecoder query) {
        List<String> names = query.parameters().getOrDefault("name", List.of());
        return names.isEmpty() || names.get(0).isBlank() ? null : names.get(0).strip();
    }

    /** The token from {@code ?token=} (browsers cannot set headers on a WebSocket) or {@code Authorization: Bearer}. */
    private static String token(FullHttpRequest request, QueryStringDecoder query) {
        List<String> fromQuery = query.parameters().getOrDefault("token", List.of());
        if (!fromQuery.isEmpty()) {
            return fromQuery.get(0);
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7);
        }
        return null;
    }

    /** The client's address as the connection limits count it: {@code --client-ip-header}'s first entry, else the peer's. */
    public String clientAddress(Channel channel, FullHttpRequest request) {
        if (config.network().clientIpHeader() != null) {
            String forwarded = request.headers().get(config.network().clientIpHeader());
            if (forwarded != null && !forwarded.isBlank()) {
                // X-Forwarded-For may list a chain; the first entry is the client the proxy saw.
                int comma = forwarded.indexOf(',');
                return (comma < 0 ? forwarded : forwarded.substring(0, comma)).trim();
            }
        }
        return ((InetSocketAddress) channel.remoteAddress()).getAddress().getHostAddress();
    }

    private static TokenVerifier tokenVerifier(RoomcastConfig config) {
        if (config.auth().jwtSecret() != null) {
            return TokenVerifier.hs256(config.auth().jwtSecret(), Clock.systemUTC());
        }
        if (config.auth().jwtPublicKey() != null) {
            return TokenVerifier.publicKey(config.auth().jwtPublicKey(), Clock.systemUTC());
        }
        return null;
    }
}
