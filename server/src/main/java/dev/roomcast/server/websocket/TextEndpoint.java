package dev.roomcast.server.websocket;

import dev.roomcast.hub.CloseReason;
import dev.roomcast.hub.Hub;
import dev.roomcast.hub.JoinOutcome;
import dev.roomcast.hub.Replay;
import dev.roomcast.protocol.SeedText;
import dev.roomcast.protocol.WireFormat;
import dev.roomcast.security.Principal;
import dev.roomcast.security.RateLimiter;
import dev.roomcast.server.gate.PublishRights;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The tutorial's plain-text endpoints, one instance per connection: {@code /echo} answers the
 * sender; {@code /ws} and {@code /ws/{room}} broadcast through the hub with the seed's strings.
 * In a room where the client may not publish (its namespace, its token) a message is dropped, since
 * plain text cannot carry an error, and the {@value #FORBIDDEN_PUBLISHES_BEFORE_CLOSE}th such message
 * closes the connection with 1008.
 * Runs on the channel's event loop only.
 */
public final class TextEndpoint extends WebSocketEndpoint {

    private static final Logger log = LoggerFactory.getLogger(TextEndpoint.class);
    /** Every message of every text client fails while the broker is down: one line per window, not per message. */
    private static final AggregatedLog publishFailed = new AggregatedLog(log, Level.WARN, AggregatedLog.INTERVAL);

    /** Messages dropped because the client may not publish here, after which it is closed with 1008. */
    public static final int FORBIDDEN_PUBLISHES_BEFORE_CLOSE = 3;

    /** The room this connection chats in, or null for {@code /echo}. */
    private final String room;
    private final Principal principal;
    private int forbiddenPublishes;

    /**
     * An endpoint for {@code /echo} when {@code room} is null, else for the room. {@code /echo} has a
     * session too, though in no room, so its replies obey the same outbound bound.
     */
    public TextEndpoint(String room, Principal principal, ServerContext context) {
        super(context, principal.user(), WireFormat.SEED_TEXT);
        this.room = room;
        this.principal = principal;
    }

    /**
     * Joins the room before the 101 goes out, with the broker's subscription to it in effect (the
     * join reads the room's position after it), so a message published once the client saw its
     * connection open reaches it (#10). Events of the room that arrive meanwhile are held and follow
     * the 101. A join that fails (the broker is unreachable) closes the connection unanswered.
     */
    @Override
    protected void beforeOpen(ChannelHandlerContext ctx, Runnable ready) {
        if (room == null) {
            ready.run();
            return;
        }
        context.hub().join(session, room, Replay.none(), outcome -> {
            if (outcome instanceof JoinOutcome.Joined) {
                ready.run();
            } else {
                log.warn("{}: cannot join {}, closing before the handshake: {}", session, room, outcome);
                ctx.close();
            }
        });
    }



    @Override
    protected void received(ChannelHandlerContext ctx, String text) {
        if (!withinRateLimit(ctx)) {
            return;
        }
        if (room == null) {
            session.send(SeedText.echo(text).getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (PublishRights.refusal(context.config().namespaces().of(room), principal, room) != null) {
            if (++forbiddenPublishes >= FORBIDDEN_PUBLISHES_BEFORE_CLOSE) {
                close(CloseReason.PUBLISH_FORBIDDEN);
            }
            return;
        }
        Hub hub = context.hub();
        hub.broadcastFrom(session, room, text).exceptionally(failure -> {
            publishFailed.log(session, "a text message could not be published", failure);
            return null;
        });
    }

    /**
     * Takes a token for one message. Over the limit the message is dropped; a client that keeps
     * flooding (see {@link RateLimiter}) is closed with 1008, since plain text has no way to say
     * "slow down".
     */
    private boolean withinRateLimit(ChannelHandlerContext ctx) {
        RateLimiter.Verdict verdict = takeToken();
        if (verdict == RateLimiter.Verdict.ACCEPT) {
            context.metrics().messageIn();
            return true;
        }
        if (verdict == RateLimiter.Verdict.FLOODING) {
            close(CloseReason.RATE_LIMITED);
        }
        return false;
    }
}
