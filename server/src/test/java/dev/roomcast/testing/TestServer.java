package dev.roomcast.testing;

import dev.roomcast.Roomcast;
import dev.roomcast.config.RoomcastConfig;
import java.net.BindException;
import java.net.URI;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** A Roomcast node on a free loopback port for one test class or test. Close it when done. */
public final class TestServer implements AutoCloseable {

    private final Roomcast node;

    private TestServer(Roomcast node) {
        this.node = node;
    }

    /** A node with the defaults but no presence grace, on port 0. */
    public static TestServer start() {
        return start(b -> b);
    }

    /**
     * A node with the defaults changed by {@code settings}, on port 0 and with no presence grace unless they say
     * otherwise: tests that are not about the grace see a departure announced at once.
     */
    public static TestServer start(UnaryOperator<RoomcastConfig.Builder> settings) {
        try {
            return new TestServer(Roomcast.start(settings.apply(RoomcastConfig.builder().port(0)
                    .presenceGrace(Duration.ZERO)).build()));
        } catch (BindException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Lifts the per-connection rate limit, for tests and load generators that send in bursts far
     * beyond what the limit allows a person, where the limit is not what is tested.
     */
    public static RoomcastConfig.Builder withoutRateLimit(RoomcastConfig.Builder settings) {
        return settings.rateLimitPerSecond(1_000_000).rateLimitBurst(1_000_000);
    }

    public Roomcast node() {
        return node;
    }

    public int port() {
        return node.port();
    }

    /** {@code ws://127.0.0.1:port} + path. */
    public URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + port() + path);
    }

    /** {@code http://127.0.0.1:port} + path. */
    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    @Override
    public void close() {
        node.close();
    }
}
