package dev.roomcast.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything one node is configured with, immutable. Every default lives here, in
 * {@link Builder}; the CLI only overrides them. docs/operations.md lists them all.
 *
 * @param host                 address to listen on
 * @param port                 port to listen on; 0 picks a free one
 * @param ioThreads            event loops serving connections; 0 means one per core
 * @param maxMessageBytes      largest text message a client may send (close 1009 beyond)
 * @param outboundBufferBytes  unsent bytes a connection may hold before it is closed as a slow consumer (1013)
 * @param historySize          messages kept per room for history and recovery
 * @param historyMaxAge        oldest message kept per room; zero keeps them regardless of age
 * @param drainTimeout         how long a drain waits for sockets to close before exiting
 * @param maxTextBytes         longest message text (UTF-8 bytes) a JSON or HTTP publish may carry
 * @param historyMaxBytes      approximate memory all rooms' in-memory history may use together;
 *                             past it the least recently active rooms' history is dropped first
 * @param apiKey               the bearer key the HTTP publish API requires; null disables HTTP publishing
 * @param handshakeTimeout     how long a connection may take to send a complete HTTP request (slowloris guard);
 *                             also how long an idle keep-alive HTTP connection stays open
 * @param pingInterval         how often the server pings an idle WebSocket
 * @param maxMissedPongs       pings in a row a client may leave unanswered before it is closed
 * @param maxConnections       open connections this node accepts upgrades for (HTTP 503 beyond)
 * @param maxConnectionsPerIp  open connections one client address may hold (HTTP 429 beyond); 0 means no limit
 * @param clientIpHeader       request header that carries the client address when behind a proxy, or null
 * @param allowedOrigins       origins allowed to open a WebSocket besides the server's own host; empty means
 *                             the default (localhost on any port); {@code *} allows every origin
 * @param rateLimitPerSecond   messages per second a connection may send on average
 * @param rateLimitBurst       messages a connection may send at once after being quiet
 * @param rateLimitCloseAfter  messages a text client may have dropped before its bucket refills before it is closed (1008)
 * @param jwtSecret            HS256 secret that client tokens are signed with, or null
 * @param jwtPublicKey         PEM public key (RSA or EC P-256) that client tokens are signed with, or null
 * @param tlsCert              PEM certificate chain to serve https/wss with, or null for plain http/ws
 * @param tlsKey               PEM PKCS#8 private key of {@code tlsCert}, or null
 * @param broker               where rooms live: {@value #MEMORY_BROKER} (this node only) or a
 *                             {@code redis://host:port[/db]} URL shared by several nodes
 * @param redisPrefix          put in front of every Redis key and channel, so deployments can share a Redis
 * @param logFormat            how log lines are written to stderr: text for people, JSON for log shippers
 * @param adminPassword        password of the admin page ({@code GET /admin}) besides the API key; null
 *                             leaves the page to the API key alone (and without either it is refused)
 */
public record RoomcastConfig(
        String host,
        int port,
        int ioThreads,
        int maxMessageBytes,
        int outboundBufferBytes,
        int historySize,
        Duration historyMaxAge,
        Duration drainTimeout,
        int maxTextBytes,
        long historyMaxBytes,
        String apiKey,
        Duration handshakeTimeout,
        Duration pingInterval,
        int maxMissedPongs,
        int maxConnections,
        int maxConnectionsPerIp,
        String clientIpHeader,
        List<String> allowedOrigins,
        int rateLimitPerSecond,
        int rateLimitBurst,
        int rateLimitCloseAfter,
        String jwtSecret,
        Path jwtPublicKey,
        Path tlsCert,
        Path tlsKey,
        String broker,
        String redisPrefix,
        LogFormat logFormat,
        String adminPassword) {

    /** The {@code broker} value for the in-process broker of a single node. */
    public static final String MEMORY_BROKER = "memory";

    /** How log lines are written: one line of text each, or one JSON object each (Logback's JsonEncoder). */
    public enum LogFormat { TEXT, JSON }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether clients must present a token. */
    public boolean authEnabled() {
        return jwtSecret != null || jwtPublicKey != null;
    }

    /** Whether the admin page and {@code GET /v1/stats} can be opened at all: they need a password or the API key. */
    public boolean adminEnabled() {
        return adminPassword != null || apiKey != null;
    }

    /** Whether the port serves https/wss. */
    public boolean tlsEnabled() {
        return tlsCert != null;
    }

    /** Whether rooms are shared through Redis. */
    public boolean redisBroker() {
        return !MEMORY_BROKER.equals(broker);
    }

    /**
     * How long a room's Redis keys outlive its last message: as long as the message may be kept
     * ({@code historyMaxAge}), or a day when history is kept regardless of age; every key needs a TTL.
     */
    public Duration redisRoomTtl() {
        return historyMaxAge.isZero() ? Duration.ofDays(1) : historyMaxAge;
    }

    public Builder toBuilder() {
        return new Builder()
                .host(host).port(port).ioThreads(ioThreads)
                .maxMessageBytes(maxMessageBytes).outboundBufferBytes(outboundBufferBytes)
                .historySize(historySize).historyMaxAge(historyMaxAge)
                .drainTimeout(drainTimeout)
                .maxTextBytes(maxTextBytes).historyMaxBytes(historyMaxBytes).apiKey(apiKey)
                .handshakeTimeout(handshakeTimeout).pingInterval(pingInterval).maxMissedPongs(maxMissedPongs)
                .maxConnections(maxConnections).maxConnectionsPerIp(maxConnectionsPerIp)
                .clientIpHeader(clientIpHeader).allowedOrigins(allowedOrigins)
                .rateLimitPerSecond(rateLimitPerSecond).rateLimitBurst(rateLimitBurst)
                .rateLimitCloseAfter(rateLimitCloseAfter)
                .jwtSecret(jwtSecret).jwtPublicKey(jwtPublicKey)
                .tlsCert(tlsCert).tlsKey(tlsKey)
                .broker(broker).redisPrefix(redisPrefix)
                .logFormat(logFormat).adminPassword(adminPassword);
    }

    /** Collects settings; starts from the documented defaults. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8000;
        private int ioThreads = 0;
        private int maxMessageBytes = 64 * 1024;
        private int outboundBufferBytes = 1024 * 1024;
        private int historySize = 100;
        private Duration historyMaxAge = Duration.ofHours(1);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private int maxTextBytes = 16 * 1024;
        private long historyMaxBytes = 64L * 1024 * 1024;
        private String apiKey = null;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration pingInterval = Duration.ofSeconds(25);
        private int maxMissedPongs = 2;
        private int maxConnections = 50_000;
        private int maxConnectionsPerIp = 1000;
        private String clientIpHeader = null;
        private List<String> allowedOrigins = List.of();
        private int rateLimitPerSecond = 20;
        private int rateLimitBurst = 40;
        private int rateLimitCloseAfter = 40;
        private String jwtSecret = null;
        private Path jwtPublicKey = null;
        private Path tlsCert = null;
        private Path tlsKey = null;
        private String broker = MEMORY_BROKER;
        private String redisPrefix = "roomcast:";
        private LogFormat logFormat = LogFormat.TEXT;
        private String adminPassword = null;

        public Builder host(String value) { host = value; return this; }
        public Builder port(int value) { port = value; return this; }
        public Builder ioThreads(int value) { ioThreads = value; return this; }
        public Builder maxMessageBytes(int value) { maxMessageBytes = value; return this; }
        public Builder outboundBufferBytes(int value) { outboundBufferBytes = value; return this; }
        public Builder historySize(int value) { historySize = value; return this; }
        public Builder historyMaxAge(Duration value) { historyMaxAge = value; return this; }
        public Builder drainTimeout(Duration value) { drainTimeout = value; return this; }
        public Builder maxTextBytes(int value) { maxTextBytes = value; return this; }
        public Builder historyMaxBytes(long value) { historyMaxBytes = value; return this; }
        public Builder apiKey(String value) { apiKey = value == null || value.isBlank() ? null : value; return this; }
        public Builder handshakeTimeout(Duration value) { handshakeTimeout = value; return this; }
        public Builder pingInterval(Duration value) { pingInterval = value; return this; }
        public Builder maxMissedPongs(int value) { maxMissedPongs = value; return this; }
        public Builder maxConnections(int value) { maxConnections = value; return this; }
        public Builder maxConnectionsPerIp(int value) { maxConnectionsPerIp = value; return this; }
        public Builder clientIpHeader(String value) { clientIpHeader = value; return this; }
        public Builder allowedOrigins(List<String> value) { allowedOrigins = List.copyOf(value); return this; }
        public Builder rateLimitPerSecond(int value) { rateLimitPerSecond = value; return this; }
        public Builder rateLimitBurst(int value) { rateLimitBurst = value; return this; }
        public Builder rateLimitCloseAfter(int value) { rateLimitCloseAfter = value; return this; }
        public Builder jwtSecret(String value) { jwtSecret = value; return this; }
        public Builder jwtPublicKey(Path value) { jwtPublicKey = value; return this; }
        public Builder tlsCert(Path value) { tlsCert = value; return this; }
        public Builder tlsKey(Path value) { tlsKey = value; return this; }
        public Builder broker(String value) { broker = value; return this; }
        public Builder redisPrefix(String value) { redisPrefix = value; return this; }
        public Builder logFormat(LogFormat value) { logFormat = value; return this; }
        public Builder adminPassword(String value) { adminPassword = value == null || value.isEmpty() ? null : value; return this; }

        public RoomcastConfig build() {
            requireRange("port", port, 0, 65535);
            requireRange("io threads", ioThreads, 0, 1024);
            requireRange("max message bytes", maxMessageBytes, 1, 64 * 1024 * 1024);
            requireRange("outbound buffer bytes", outboundBufferBytes, 1024, Integer.MAX_VALUE);
            requireRange("history size", historySize, 0, 1_000_000);
            requireRange("max text bytes", maxTextBytes, 1, 64 * 1024 * 1024);
            requireRange("history max bytes", historyMaxBytes, 1, Long.MAX_VALUE);
            requirePositive("handshake timeout", handshakeTimeout);
            requirePositive("ping interval", pingInterval);
            requireRange("max missed pongs", maxMissedPongs, 1, 1000);
            requireRange("max connections", maxConnections, 1, Integer.MAX_VALUE);
            requireRange("max connections per IP", maxConnectionsPerIp, 0, Integer.MAX_VALUE);
            requireRange("rate limit per second", rateLimitPerSecond, 1, 1_000_000);
            requireRange("rate limit burst", rateLimitBurst, 1, 1_000_000);
            requireRange("rate limit close-after", rateLimitCloseAfter, 1, Integer.MAX_VALUE);
            if (jwtSecret != null && jwtPublicKey != null) {
                throw new IllegalArgumentException("give either a JWT secret or a JWT public key, not both");
            }
            if (jwtSecret != null && jwtSecret.length() < 32) {
                throw new IllegalArgumentException("the JWT secret must be at least 32 characters (256 bits for HS256)");
            }
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new IllegalArgumentException("TLS needs both a certificate and a key");
            }
            if (broker == null || !(broker.equals(MEMORY_BROKER) || broker.startsWith("redis://")
                    || broker.startsWith("rediss://"))) {
                throw new IllegalArgumentException("the broker must be 'memory' or a redis://host:port[/db] URL, got " + broker);
            }
            if (redisPrefix == null) {
                throw new IllegalArgumentException("the Redis key prefix must not be null");
            }
            if (logFormat == null) {
                throw new IllegalArgumentException("the log format must be text or json");
            }
            return new RoomcastConfig(host, port, ioThreads, maxMessageBytes, outboundBufferBytes,
                    historySize, historyMaxAge, drainTimeout, maxTextBytes, historyMaxBytes, apiKey, handshakeTimeout, pingInterval, maxMissedPongs,
                    maxConnections, maxConnectionsPerIp, clientIpHeader, allowedOrigins,
                    rateLimitPerSecond, rateLimitBurst, rateLimitCloseAfter, jwtSecret, jwtPublicKey, tlsCert, tlsKey,
                    broker, redisPrefix, logFormat, adminPassword);
        }

        private static void requireRange(String what, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", got " + value);
            }
        }

        private static void requirePositive(String what, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + value);
            }
        }
    }
}
