package dev.roomcast.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one node is configured with, in groups by area; each group is a record whose
 * components declare their settings and defaults once, with {@link Setting}. {@link Settings} lists
 * them all; {@link ConfigLoader} fills them from flags, environment and a YAML file; docs/operations.md
 * shows them as a table that a test keeps in step.
 *
 * <p>Threading: immutable.
 *
 * @param network   where and how the node listens, and the timers of a connection's life
 * @param limits    what one client may cost the node
 * @param auth      who may connect and publish
 * @param history   what each room remembers
 * @param cluster   whether rooms are shared through Redis
 * @param observability how the node's log lines are written
 * @param hooks     the application backend's hooks: where, how long, how many at once
 * @param webhooks  the lifecycle webhooks: where, signed how, debounced, retried and queued how
 * @param namespaces the rules of each namespace named in the config file's {@code namespaces:} section
 */
public record RoomcastConfig(Network network, Limits limits, Auth auth, History history, Cluster cluster,
                             Observability observability, HookSettings hooks, WebhookSettings webhooks,
                             Namespaces namespaces) {

    /** Every setting at its default. */
    public static RoomcastConfig defaults() {
        return builder().build();
    }

    /** Settings in code (tests, embedding): starts from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Collects settings by flag and builds the config with the same checks as every other source.
     * The named setters are the typed spelling of {@link #set} for code and tests.
     *
     * <p>Threading: not thread-safe; the caller confines.
     */
    public static final class Builder {
        private final Map<SettingSpec, Object> values = new HashMap<>();
        private Namespaces namespaces = Namespaces.none();

        /** Sets the setting of {@code flag} to {@code value}, of the setting's type (null: its default). */
        public Builder set(String flag, Object value) {
            SettingSpec spec = Settings.byFlag(flag);
            if (value == null) {
                values.remove(spec);
            } else if (spec.valueType().isInstance(value)) {
                values.put(spec, value);
            } else {
                throw new IllegalArgumentException(flag + " takes a " + spec.valueType().getSimpleName() + ", not " + value);
            }
            return this;
        }

        public Builder host(String value) { return set("--host", value); }
        public Builder port(int value) { return set("--port", value); }
        public Builder ioThreads(int value) { return set("--io-threads", value); }
        public Builder transport(Network.Transport value) { return set("--transport", value); }
        public Builder tlsCert(Path value) { return set("--tls-cert", value); }
        public Builder tlsKey(Path value) { return set("--tls-key", value); }
        public Builder clientIpHeader(String value) { return set("--client-ip-header", value); }
        public Builder compression(boolean value) { return set("--compression", value); }
        public Builder compressionMinBytes(int value) { return set("--compression-min-bytes", value); }
        public Builder handshakeTimeout(Duration value) { return set("--handshake-timeout", value); }
        public Builder pingInterval(Duration value) { return set("--ping-interval", value); }
        public Builder maxMissedPongs(int value) { return set("--max-missed-pongs", value); }
        public Builder drainTimeout(Duration value) { return set("--drain-timeout", value); }
        public Builder maxMessageBytes(int value) { return set("--max-message-bytes", value); }
        public Builder maxPayloadBytes(int value) { return set("--max-payload-bytes", value); }
        /** The former name of {@link #maxPayloadBytes}, like the flag it had. */
        public Builder maxTextBytes(int value) { return maxPayloadBytes(value); }
        public Builder outboundBufferBytes(int value) { return set("--outbound-buffer-bytes", value); }
        public Builder maxConnections(int value) { return set("--max-connections", value); }
        public Builder maxConnectionsPerIp(int value) { return set("--max-connections-per-ip", value); }
        public Builder maxRoomsPerConnection(int value) { return set("--max-rooms-per-connection", value); }
        public Builder rateLimitPerSecond(int value) { return set("--rate-limit", value); }
        public Builder rateLimitBurst(int value) { return set("--rate-limit-burst", value); }
        public Builder rateLimitCloseAfter(int value) { return set("--rate-limit-close-after", value); }
        public Builder jwtSecret(String value) { return set("--jwt-secret", value); }
        public Builder jwtPublicKey(Path value) { return set("--jwt-public-key", value); }
        public Builder apiKey(String value) { return set("--api-key", value); }
        public Builder allowedOrigins(List<String> value) { return set("--allowed-origins", value); }
        public Builder historySize(int value) { return set("--history-size", value); }
        public Builder historyMaxAge(Duration value) { return set("--history-max-age", value); }
        public Builder historyMaxBytes(long value) { return set("--history-max-bytes", value); }
        public Builder idempotencyWindow(Duration value) { return set("--idempotency-window", value); }
        public Builder namespaces(Namespaces value) { namespaces = value; return this; }
        public Builder broker(String value) { return set("--broker", value); }
        public Builder redisPrefix(String value) { return set("--redis-prefix", value); }
        public Builder presenceLease(Duration value) { return set("--presence-lease", value); }
        public Builder presenceGrace(Duration value) { return set("--presence-grace", value); }
        public Builder logFormat(Observability.LogFormat value) { return set("--log-format", value); }
        public Builder adminPassword(String value) { return set("--admin-password", value); }
        public Builder hookConnect(String value) { return set("--hook-connect", value); }
        public Builder hookHeaders(List<String> value) { return set("--hook-headers", value); }
        public Builder hookTimeout(Duration value) { return set("--hook-timeout", value); }
        public Builder hookMaxConcurrent(int value) { return set("--hook-max-concurrent", value); }
        public Builder webhookUrl(String value) { return set("--webhook-url", value); }
        public Builder webhookSecret(String value) { return set("--webhook-secret", value); }
        public Builder webhookMaxAge(Duration value) { return set("--webhook-max-age", value); }
        public Builder webhookQueueSize(int value) { return set("--webhook-queue-size", value); }

        /** The config; a refused value throws {@link InvalidSetting} naming its flag. */
        public RoomcastConfig build() {
            return Settings.assemble(values, namespaces, SettingSpec::flag);
        }
    }
}
