package dev.roomcast.server.websocket;

import dev.roomcast.hooks.Verdict;
import dev.roomcast.hub.Hub;
import dev.roomcast.hub.JoinOutcome;
import dev.roomcast.hub.Publication;
import dev.roomcast.hub.Replay;
import dev.roomcast.protocol.ClientRequest;
import dev.roomcast.protocol.ClientRequests;
import dev.roomcast.protocol.ErrorCode;
import dev.roomcast.protocol.PublishRequest;
import dev.roomcast.protocol.Page;
import dev.roomcast.protocol.ServerFrames;
import dev.roomcast.protocol.WireFormat;
import dev.roomcast.room.OutcomeUnknownException;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.security.Principal;
import dev.roomcast.security.RateLimiter;
import dev.roomcast.security.TokenVerifier;
import dev.roomcast.server.gate.PublishRights;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * {@code /v1/ws}, the JSON protocol v1 of docs/protocol.md, one instance per connection: sends
 * {@code welcome}, turns each request into hub calls and answers it with {@code ok} (or the
 * request's own answer frame) or {@code error}. Only protocol abuse (binary frames, oversize or
 * invalid frames) closes the connection; every mistake a client can make is an {@code error}.
 *
 * <p>Threading: confined to the channel's event loop; answers to requests that complete elsewhere
 * hop back to it.
 */
public final class JsonEndpoint extends WebSocketEndpoint {

    private static final Logger log = LoggerFactory.getLogger(JsonEndpoint.class);
    /** Every connection opened while the broker is down fails this: one line per window, not per connection. */
    private static final AggregatedLog unreachable = new AggregatedLog(log, Level.WARN, AggregatedLog.INTERVAL);

    /** The answer to one request, decided before anything is written: the frames of a success, or a refusal. */
    private sealed interface Outcome {
        record Answered(List<byte[]> frames) implements Outcome {
        }

        /** {@code code}: an {@link ErrorCode}'s wire string, or the one a backend's hook chose. */
        record Refused(String code, String message) implements Outcome {
        }
    }

    private final ClientRequests requests;
    /** Replaced by a {@code refresh}; the user stays the same. */
    private Principal principal;
    /** Closes the connection when its token expires; null for connections without one. */
    private TokenExpiry expiry;
    /** The channel's event loop, which owns {@link #session}. */
    private final EventExecutor loop;

    public JsonEndpoint(Principal principal, ServerContext context, EventExecutor loop) {
        super(context, principal.user(), WireFormat.JSON_V1);
        this.loop = loop;
        this.principal = principal;
        this.requests = new ClientRequests(context.config().limits().maxPayloadBytes());
    }

    /**
     * Welcomes the client once direct messages to its user reach this node. Until then (a broker
     * subscription away with Redis) nothing more is read, so no answer can overtake the welcome.
     */
    @Override
    protected void opened(ChannelHandlerContext ctx) {
        expiry = ctx.pipeline().get(TokenExpiry.class);
        CompletableFuture<Void> reachable = context.hub().connect(session).toCompletableFuture();
        if (reachable.isDone() && !reachable.isCompletedExceptionally()) {
            welcome();
            return;
        }
        ctx.channel().config().setAutoRead(false);
        reachable.whenComplete((done, failure) -> onLoop(() -> {
            if (failure != null) {
                unreachable.log(session, "direct messages may not reach this user until the broker recovers",
                        failure);
            }
            welcome();
            ctx.channel().config().setAutoRead(true);
        }));
    }

    private void welcome() {
        session.send(ServerFrames.welcome(session.id(), principal.user(), principal.displayName(),
                context.identities().nodeId()));
    }

    @Override
    protected void received(ChannelHandlerContext ctx, String text) {
        ClientRequest request = requests.parse(text);
        // Parsed first so that the refusal carries the request's ref; the request is not carried out.
        if (takeToken() != RateLimiter.Verdict.ACCEPT) {
            answer(request.ref(), refused(ErrorCode.RATE_LIMITED, "too many requests: at most "
                    + context.config().limits().rateLimitPerSecond() + " a second; this one was dropped"));
            return;
        }
        context.metrics().messageIn();
        if (request instanceof ClientRequest.Join join) {
            join(join);
            return;
        }
        outcomeOf(request).whenComplete((outcome, failure) -> onLoop(() -> answer(request.ref(),
                failure == null ? outcome : failed(failure))));
    }

    private static Outcome failed(Throwable failure) {
        return OutcomeUnknownException.isCauseOf(failure)
                ? refused(ErrorCode.UNKNOWN_OUTCOME, "the broker did not confirm this in time: it may or may not have "
                        + "been published; retry with the same idempotency_key so it is delivered at most once")
                : refused(ErrorCode.INTERNAL, "the server could not carry this out; try again");
    }

    /** Every request but {@code join}, whose answer must be written before its replay. */
    private CompletionStage<Outcome> outcomeOf(ClientRequest request) {
        Hub hub = context.hub();
        if (request instanceof ClientRequest.Invalid invalid) {
            return done(refused(invalid.code(), invalid.message()));
        }
        if (request instanceof ClientRequest.Leave leave) {
            return done(hub.leave(session, leave.room())
                    ? answered(ServerFrames.ok(leave.ref()))
                    : notJoined(leave.room()));
        }
        if (request instanceof ClientRequest.Publish publish) {
            return publish(publish);
        }
        if (request instanceof ClientRequest.Direct direct) {
            return hub.broadcastToUser(session.user(), direct.to(), direct.text()).thenApply(reached -> reached
                    ? answered(ServerFrames.ok(direct.ref()))
                    : refused(ErrorCode.NO_SUCH_USER, "nobody called " + direct.to() + " is connected"));
        }
        if (request instanceof ClientRequest.PresenceQuery query) {
            if (!principal.rooms().allows(query.room())) {
                return done(forbidden(query.room()));
            }
            if (context.config().namespaces().of(query.room()).presence() == PresenceMode.COUNT) {
                return hub.occupancy(query.room())
                        .thenApply(members -> answered(ServerFrames.presenceCount(query.ref(), query.room(), members)));
            }
            return hub.presence(query.room())
                    .thenApply(users -> answered(ServerFrames.presence(query.ref(), query.room(),
                            Page.of(new TreeMap<>(users), query.cursor(), query.limit()))));
        }
        if (request instanceof ClientRequest.Ping ping) {
            return done(answered(ServerFrames.ok(ping.ref())));
        }
        if (request instanceof ClientRequest.Refresh refresh) {
            return done(refresh(refresh));
        }
        throw new IllegalStateException("unhandled request " + request);
    }

    /**
     * Publishes for a member of the room whose namespace lets members publish and whose token allows it;
     * {@code echo:false} names this session as the one that does not receive it.
     */
    private CompletionStage<Outcome> publish(ClientRequest.Publish publish) {
        String room = publish.room();
        if (!context.hub().isMember(session, room)) {
            return done(notJoined(room));
        }
        String refusal = PublishRights.refusal(context.config().namespaces().of(room), principal, room);
        if (refusal != null) {
            return done(refused(ErrorCode.FORBIDDEN, refusal));
        }
        PublishRequest.Fields fields = publish.fields();
        return context.hooks().publish(session.user(), room, fields.payload()).thenCompose(verdict -> {
            if (!(verdict instanceof Verdict.Allowed allowed)) {
                return done(refusedBy(verdict));
            }
            Publication publication = new Publication(session.user(),
                    allowed.replacement() == null ? fields.payload() : allowed.replacement(), fields.store(),
                    fields.echo() ? null : session.id(), fields.idempotencyKey());
            return context.hub().broadcast(room, publication)
                    .thenApply(position -> answered(ServerFrames.ok(publish.ref(), room, position)));
        });
    }

    /**
     * Takes a fresh token for the same user: its expiry replaces the old one's and its room claim
     * governs later joins (rooms already joined are kept).
     */
    private Outcome refresh(ClientRequest.Refresh refresh) {
        TokenVerifier.Result verified = context.gate().verifyToken(refresh.token());
        if (verified instanceof TokenVerifier.Refused refusedToken) {
            return refused(ErrorCode.UNAUTHORIZED, refusedToken.reason());
        }
        Principal fresh = ((TokenVerifier.Valid) verified).principal();
        if (!fresh.user().equals(principal.user())) {
            return refused(ErrorCode.UNAUTHORIZED, "the token is for another user");
        }
        principal = fresh;
        if (expiry != null) {
            expiry.extendTo(fresh.expiresAt());
        }
        return answered(ServerFrames.ok(refresh.ref()));
    }

    /**
     * Asks the room's join hook, if its namespace has one, then joins (on this loop again).
     */
    private void join(ClientRequest.Join join) {
        if (!principal.rooms().allows(join.room())) {
            answer(join.ref(), forbidden(join.room()));
            return;
        }
        CompletableFuture<Verdict> verdict = context.hooks().join(session.user(), join.room()).toCompletableFuture();
        if (verdict.isDone()) {
            joinAllowed(join, verdict.join());
        } else {
            verdict.thenAccept(answer -> onLoop(() -> joinAllowed(join, answer)));
        }
    }

    /**
     * Joins through the hub, which calls back on this loop before it delivers the replay, so the
     * answer ({@code ok}, then {@code recovered} for a {@code since} join) precedes the replayed messages.
     */
    private void joinAllowed(ClientRequest.Join join, Verdict verdict) {
        if (!(verdict instanceof Verdict.Allowed)) {
            answer(join.ref(), refusedBy(verdict));
            return;
        }
        int maxRooms = context.config().limits().maxRoomsPerConnection();
        if (!context.hub().isMember(session, join.room()) && context.hub().roomCount(session) >= maxRooms) {
            answer(join.ref(), refused(ErrorCode.TOO_MANY_ROOMS,
                    "a connection may be in at most " + maxRooms + " rooms; leave one first"));
            return;
        }
        Replay replay = join.since() != null ? Replay.since(join.since()) : Replay.newest(join.history());
        context.hub().join(session, join.room(), replay, outcome -> answer(join.ref(), joinOutcome(join, outcome)));
    }

    private Outcome joinOutcome(ClientRequest.Join join, JoinOutcome outcome) {
        if (outcome instanceof JoinOutcome.Joined joined) {
            byte[] ok = ServerFrames.ok(join.ref(), join.room(), joined.position());
            JoinOutcome.Recovery recovery = joined.recovery();
            if (recovery != null) {
                context.metrics().recovery(join.room(), recovery.recovered());
            }
            return recovery == null
                    ? answered(ok)
                    : new Outcome.Answered(List.of(ok, ServerFrames.recovered(join.room(), recovery.recovered(),
                            recovery.missed(), joined.position())));
        }
        if (outcome instanceof JoinOutcome.AlreadyJoined) {
            return refused(ErrorCode.ALREADY_JOINED, "already in room " + join.room());
        }
        return refused(ErrorCode.INTERNAL, "could not read the history of room " + join.room() + "; try again");
    }

    /** The one place an outcome becomes frames on the wire. On the loop. */
    private void answer(String ref, Outcome outcome) {
        if (session == null) {
            return;
        }
        if (outcome instanceof Outcome.Answered answered) {
            answered.frames().forEach(session::send);
        } else if (outcome instanceof Outcome.Refused refused) {
            session.send(ServerFrames.error(ref, refused.code(), refused.message()));
        }
    }

    /**
     * Runs {@code task} on the channel's event loop while the session is open. Callable from any
     * thread (requests complete on the broker's): {@link #session} is read only once there.
     */
    private void onLoop(Runnable task) {
        Runnable whileOpen = () -> {
            if (session != null) {
                task.run();
            }
        };
        if (loop.inEventLoop()) {
            whileOpen.run();
            return;
        }
        try {
            loop.execute(whileOpen);
        } catch (RejectedExecutionException shuttingDown) {
            // The loop is stopping: the connection is closing and nobody awaits the answer.
        }
    }

    private static CompletionStage<Outcome> done(Outcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }

    private static Outcome answered(byte[] frame) {
        return new Outcome.Answered(List.of(frame));
    }

    private static Outcome refused(ErrorCode code, String message) {
        return new Outcome.Refused(code.wire(), message);
    }

    /** The outcome of a hook that did not allow the request: the backend's refusal, or {@code unavailable}. */
    private static Outcome refusedBy(Verdict verdict) {
        if (verdict instanceof Verdict.Refused refused) {
            return new Outcome.Refused(refused.code(), refused.message());
        }
        return refused(ErrorCode.UNAVAILABLE, ((Verdict.Unavailable) verdict).reason() + "; try again later");
    }

    private static Outcome notJoined(String room) {
        return refused(ErrorCode.NOT_JOINED, "join room " + room + " first");
    }

    private static Outcome forbidden(String room) {
        return refused(ErrorCode.FORBIDDEN, "you may not join room " + room);
    }
}
