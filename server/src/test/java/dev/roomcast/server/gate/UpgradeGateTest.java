package dev.roomcast.server.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.config.Namespaces;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.metrics.ServerMetrics;
import dev.roomcast.metrics.UpgradeRejection;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gate's decisions that sockets cannot easily provoke: draining, and addresses from a proxy header. */
class UpgradeGateTest {

    private final ServerMetrics metrics = new ServerMetrics(Namespaces.none());
    private final AtomicBoolean draining = new AtomicBoolean();

    @AfterEach
    void close() {
        metrics.close();
    }

    private UpgradeGate gate(UnaryOperator<RoomcastConfig.Builder> settings) {
        return new UpgradeGate(settings.apply(RoomcastConfig.builder()).build(), draining::get, new Identities(), metrics);
    }

    private static FullHttpRequest upgrade(String realIp) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws/lobby");
        request.headers().set("Host", "chat.example.com");
        if (realIp != null) {
            request.headers().set("X-Real-IP", realIp);
        }
        return request;
    }

    @Test
    void aDrainingNodeRefusesUpgradesWith503() {
        UpgradeGate gate = gate(b -> b);
        draining.set(true);
        EmbeddedChannel channel = new EmbeddedChannel();
        FullHttpRequest request = upgrade(null);
        UpgradeGate.Decision decision = gate.check(channel, request, new QueryStringDecoder(request.uri()), "lobby");
        request.release();
        assertThat(decision).isInstanceOf(UpgradeGate.Refused.class);
        UpgradeGate.Refused refused = (UpgradeGate.Refused) decision;
        assertThat(refused.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(refused.rejection()).isEqualTo(UpgradeRejection.DRAINING);
        assertThat(metrics.scrape()).contains("roomcast_upgrades_rejected_total{reason=\"draining\"} 1.0");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void behindAProxyThePerAddressCapCountsTheForwardedAddressAndFreesItOnClose() {
        UpgradeGate gate = gate(b -> b.maxConnectionsPerIp(1).clientIpHeader("X-Real-IP"));
        EmbeddedChannel first = new EmbeddedChannel();
        EmbeddedChannel sameClient = new EmbeddedChannel();
        EmbeddedChannel otherClient = new EmbeddedChannel();
        assertThat(decide(gate, first, "203.0.113.7")).isInstanceOf(UpgradeGate.Admitted.class);
        UpgradeGate.Decision second = decide(gate, sameClient, "203.0.113.7");
        assertThat(second).isInstanceOf(UpgradeGate.Refused.class);
        assertThat(((UpgradeGate.Refused) second).status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
        assertThat(decide(gate, otherClient, "198.51.100.2")).isInstanceOf(UpgradeGate.Admitted.class);
        first.close();
        assertThat(decide(gate, sameClient, "203.0.113.7")).isInstanceOf(UpgradeGate.Admitted.class);
        assertThat(sameClient.finish()).isFalse();
        assertThat(otherClient.finish()).isFalse();
    }

    private static UpgradeGate.Decision decide(UpgradeGate gate, EmbeddedChannel channel, String realIp) {
        FullHttpRequest request = upgrade(realIp);
        try {
            return gate.check(channel, request, new QueryStringDecoder(request.uri()), "lobby");
        } finally {
            request.release();
        }
    }
}
