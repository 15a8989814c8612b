package dev.roomcast.server;

import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.hub.CloseReason;
import dev.roomcast.hub.Hub;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.protocol.WireFormat;
import dev.roomcast.security.RateLimiter;
import io.netty.channel.Channel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every connection's handlers share: the hub, the node's connections, configuration, metrics,
 * the upgrade gate and the rules for turning failures into close codes. Immutable; shared by all event loops.
 */
record ServerContext(RoomcastConfig config, Hub hub, NettyLoops loops, Connections connections,
                     Identities identities, StaticPage page, ServerMetrics metrics, AggregatedLog notices,
                     UpgradeGate gate) {

    private static final Logger log = LoggerFactory.getLogger(ServerContext.class);

    /** A session for an upgraded channel, owned by the channel's event loop. */
    ChannelSession newSession(Channel channel, String user, WireFormat format) {
        return new ChannelSession(identities.nodeId(), identities.newSessionNumber(), user, channel,
                loops.of(channel.eventLoop()), format, metrics);
    }

    /** A fresh token bucket for one connection's inbound messages, with the configured limits. */
    RateLimiter newRateLimiter() {
        return new RateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst(), config.rateLimitCloseAfter(),
                System::nanoTime);
    }

    /**
     * The close code for a WebSocket after an exception, or null when the socket is simply closed.
     * Oversized messages and protocol violations are the client's doing and logged at debug;
     * anything else is a bug or an I/O failure, logged once, never shown to the client.
     */
    CloseReason closeReasonFor(Channel channel, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            log.debug("{}: message over {} bytes", channel.remoteAddress(), config.maxMessageBytes());
            return CloseReason.MESSAGE_TOO_BIG;
        }
        if (cause instanceof CorruptedFrameException || cause instanceof PrematureChannelClosureException
                || cause instanceof IOException) {
            // Netty's decoder has already sent the close frame for a protocol violation; a socket
            // that closes in the middle of a fragmented message is the client's doing, not a bug.
            // The cause fills a placeholder, so it is only rendered when debug is on: a mass disconnect
            // brings thousands of these at once.
            log.debug("{}: {}", channel.remoteAddress(), cause);
            return null;
        }
        log.warn("{}: closing after unexpected error", channel.remoteAddress(), cause);
        return CloseReason.INTERNAL_ERROR;
    }
}
