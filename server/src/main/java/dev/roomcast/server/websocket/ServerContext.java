package dev.roomcast.server.websocket;

import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.hooks.Hooks;
import dev.roomcast.hub.Hub;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.protocol.WireFormat;
import dev.roomcast.security.RateLimiter;
import dev.roomcast.server.gate.Identities;
import dev.roomcast.server.gate.UpgradeGate;
import io.netty.channel.Channel;

/**
 * What every connection's handlers share: the hub, the node's connections and the one way they
 * close, configuration, metrics, the periodic log summary, the upgrade gate, the slow-consumer rules and the
 * application backend's hooks. Immutable; shared by all event loops.
 */
public record ServerContext(RoomcastConfig config, Hub hub, NettyLoops loops, Connections connections,
                     WebSocketCloser closer, Identities identities, ServerMetrics metrics,
                     AggregatedLog notices, UpgradeGate gate, SlowConsumers slowConsumers, Hooks hooks) {

    /**
     * A session for an upgraded channel, owned by the channel's event loop; {@code deflate}: the client
     * negotiated permessage-deflate.
     */
    ChannelSession newSession(Channel channel, String user, WireFormat format, boolean deflate) {
        return new ChannelSession(identities.nodeId(), identities.newSessionNumber(), user, channel,
                loops.of(channel.eventLoop()), format, closer, slowConsumers, deflate);
    }

    /** A fresh token bucket for one connection's inbound messages, with the configured limits. */
    RateLimiter newRateLimiter() {
        return new RateLimiter(config.limits().rateLimitPerSecond(), config.limits().rateLimitBurst(), config.limits().rateLimitCloseAfter(),
                System::nanoTime);
    }
}
