package dev.roomcast.cli;

import dev.roomcast.Roomcast;
import dev.roomcast.config.RoomcastConfig;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code roomcast serve}: flags and environment variables to a {@link RoomcastConfig}, then runs
 * the node until SIGTERM or SIGINT, which drain it and exit 0. Defaults live in the config
 * builder; an option left unset keeps them.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Serve the chat page, the WebSocket endpoints and the HTTP API (the default command).",
        showDefaultValues = false)
public final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);
    private static final RoomcastConfig DEFAULTS = RoomcastConfig.builder().build();

    @Option(names = "--host", defaultValue = "${env:ROOMCAST_HOST}",
            description = "Address to listen on (env ROOMCAST_HOST, default " + "127.0.0.1" + ").")
    String host;

    @Option(names = "--port", defaultValue = "${env:ROOMCAST_PORT}",
            description = "Port to listen on; 0 picks a free one (env ROOMCAST_PORT, default 8000).")
    Integer port;

    @Option(names = "--io-threads", defaultValue = "${env:ROOMCAST_IO_THREADS}",
            description = "Event loop threads; 0 means one per core (env ROOMCAST_IO_THREADS, default 0).")
    Integer ioThreads;

    @Option(names = "--max-message-bytes", defaultValue = "${env:ROOMCAST_MAX_MESSAGE_BYTES}",
            description = "Largest message a client may send; larger ones close with 1009 (env ROOMCAST_MAX_MESSAGE_BYTES, default 65536).")
    Integer maxMessageBytes;

    @Option(names = "--outbound-buffer-bytes", defaultValue = "${env:ROOMCAST_OUTBOUND_BUFFER_BYTES}",
            description = "Unsent bytes a connection may hold before it is closed with 1013 slow consumer (env ROOMCAST_OUTBOUND_BUFFER_BYTES, default 1048576).")
    Integer outboundBufferBytes;

    @Option(names = "--history-size", defaultValue = "${env:ROOMCAST_HISTORY_SIZE}",
            description = "Messages kept per room for history and recovery (env ROOMCAST_HISTORY_SIZE, default 100).")
    Integer historySize;

    @Option(names = "--history-max-age", defaultValue = "${env:ROOMCAST_HISTORY_MAX_AGE}", converter = DurationConverter.class,
            description = "Oldest message kept per room, e.g. 30m; 0 keeps them regardless of age (env ROOMCAST_HISTORY_MAX_AGE, default 1h).")
    Duration historyMaxAge;

    @Option(names = "--drain-timeout", defaultValue = "${env:ROOMCAST_DRAIN_TIMEOUT}", converter = DurationConverter.class,
            description = "On SIGTERM, how long to wait for sockets to close, e.g. 10s (env ROOMCAST_DRAIN_TIMEOUT, default 10s).")
    Duration drainTimeout;

    @Option(names = "--max-text-bytes", defaultValue = "${env:ROOMCAST_MAX_TEXT_BYTES}",
            description = "Longest message text (UTF-8 bytes) a JSON or HTTP publish may carry; longer ones get text_too_long / 413 (env ROOMCAST_MAX_TEXT_BYTES, default 16384).")
    Integer maxTextBytes;

    @Option(names = "--history-max-bytes", defaultValue = "${env:ROOMCAST_HISTORY_MAX_BYTES}",
            description = "Approximate memory all rooms' history may use together; the least recently active rooms lose theirs first (env ROOMCAST_HISTORY_MAX_BYTES, default 67108864).")
    Long historyMaxBytes;

    @Option(names = "--api-key", defaultValue = "${env:ROOMCAST_API_KEY}",
            description = "Bearer key for the HTTP API (POST /v1/rooms/{room}/messages); unset disables HTTP publishing (env ROOMCAST_API_KEY).")
    String apiKey;
    @Option(names = "--handshake-timeout", defaultValue = "${env:ROOMCAST_HANDSHAKE_TIMEOUT}", converter = DurationConverter.class,
            description = "Time a connection has to send a complete HTTP request or upgrade before it is closed (slowloris guard) (env ROOMCAST_HANDSHAKE_TIMEOUT, default 10s).")
    Duration handshakeTimeout;

    @Option(names = "--ping-interval", defaultValue = "${env:ROOMCAST_PING_INTERVAL}", converter = DurationConverter.class,
            description = "How often the server pings each WebSocket (env ROOMCAST_PING_INTERVAL, default 25s).")
    Duration pingInterval;

    @Option(names = "--max-missed-pongs", defaultValue = "${env:ROOMCAST_MAX_MISSED_PONGS}",
            description = "Unanswered pings in a row before a client is closed with 1001 (env ROOMCAST_MAX_MISSED_PONGS, default 2).")
    Integer maxMissedPongs;

    @Option(names = "--max-connections", defaultValue = "${env:ROOMCAST_MAX_CONNECTIONS}",
            description = "WebSocket connections this node serves; further upgrades get HTTP 503 (env ROOMCAST_MAX_CONNECTIONS, default 50000).")
    Integer maxConnections;

    @Option(names = "--max-connections-per-ip", defaultValue = "${env:ROOMCAST_MAX_CONNECTIONS_PER_IP}",
            description = "WebSocket connections one client address may hold; further upgrades get HTTP 429; 0 means no limit (env ROOMCAST_MAX_CONNECTIONS_PER_IP, default 1000).")
    Integer maxConnectionsPerIp;

    @Option(names = "--client-ip-header", defaultValue = "${env:ROOMCAST_CLIENT_IP_HEADER}",
            description = "Header carrying the client address when behind a reverse proxy, e.g. X-Real-IP; only set it behind a proxy that overwrites it (env ROOMCAST_CLIENT_IP_HEADER, default none: the socket's address).")
    String clientIpHeader;

    @Option(names = "--allowed-origins", defaultValue = "${env:ROOMCAST_ALLOWED_ORIGINS}",
            description = "Comma-separated browser origins that may open WebSockets besides the server's own host, e.g. https://app.example.com; '*' allows all (env ROOMCAST_ALLOWED_ORIGINS, default: localhost, 127.0.0.1 and [::1] on any port).")
    String allowedOrigins;

    @Option(names = "--rate-limit", defaultValue = "${env:ROOMCAST_RATE_LIMIT}",
            description = "Messages per second each connection may send on average (env ROOMCAST_RATE_LIMIT, default 20).")
    Integer rateLimit;

    @Option(names = "--rate-limit-burst", defaultValue = "${env:ROOMCAST_RATE_LIMIT_BURST}",
            description = "Messages a connection may send at once after a pause (env ROOMCAST_RATE_LIMIT_BURST, default 40).")
    Integer rateLimitBurst;

    @Option(names = "--rate-limit-close-after", defaultValue = "${env:ROOMCAST_RATE_LIMIT_CLOSE_AFTER}",
            description = "Dropped messages, without a pause long enough to refill the burst, after which a text client is closed with 1008 (env ROOMCAST_RATE_LIMIT_CLOSE_AFTER, default 40).")
    Integer rateLimitCloseAfter;

    @Option(names = "--jwt-secret", defaultValue = "${env:ROOMCAST_JWT_SECRET}",
            description = "Require HS256 tokens signed with this secret (at least 32 characters); prefer the env var, flags show in ps (env ROOMCAST_JWT_SECRET, default: no auth).")
    String jwtSecret;

    @Option(names = "--jwt-public-key", defaultValue = "${env:ROOMCAST_JWT_PUBLIC_KEY}",
            description = "Require RS256/ES256 tokens verified with this PEM public key file (env ROOMCAST_JWT_PUBLIC_KEY, default: no auth).")
    Path jwtPublicKey;

    @Option(names = "--tls-cert", defaultValue = "${env:ROOMCAST_TLS_CERT}",
            description = "PEM certificate chain: serve https/wss on the port (env ROOMCAST_TLS_CERT, default: plain http/ws).")
    Path tlsCert;

    @Option(names = "--tls-key", defaultValue = "${env:ROOMCAST_TLS_KEY}",
            description = "PEM PKCS#8 private key of --tls-cert (env ROOMCAST_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--broker", defaultValue = "${env:ROOMCAST_BROKER}",
            description = "Where rooms live: 'memory' (this node only) or redis://host:port[/db] to share rooms with every node using that Redis (env ROOMCAST_BROKER, default memory).")
    String broker;

    @Option(names = "--redis-prefix", defaultValue = "${env:ROOMCAST_REDIS_PREFIX}",
            description = "Prefix of every Redis key and channel; nodes that share rooms use the same one (env ROOMCAST_REDIS_PREFIX, default roomcast:).")
    String redisPrefix;

    @Option(names = "--log-format", defaultValue = "${env:ROOMCAST_LOG_FORMAT}",
            description = "How log lines are written to stderr: 'text' (one line each, ISO-8601 time) or 'json' (one JSON object each) (env ROOMCAST_LOG_FORMAT, default text).")
    RoomcastConfig.LogFormat logFormat;

    @Option(names = "--admin-password", defaultValue = "${env:ROOMCAST_ADMIN_PASSWORD}",
            description = "Password of the admin page /admin and of GET /v1/stats (HTTP Basic, any user name), besides the API key; without either the page is refused. Prefer the env var, flags show in ps (env ROOMCAST_ADMIN_PASSWORD).")
    String adminPassword;

    @Override
    public Integer call() throws Exception {
        RoomcastConfig config = toConfig();
        LogFormats.apply(config.logFormat());
        Roomcast node;
        try {
            node = Roomcast.start(config);
        } catch (BindException e) {
            System.err.println("roomcast: cannot listen on " + config.host() + ":" + config.port() + ": "
                    + (e.getMessage() == null ? "address unavailable" : e.getMessage()));
            return 1;
        }
        System.err.println("Roomcast serving " + (config.tlsEnabled() ? "https" : "http") + "://" + hostForUrl(config.host()) + ":" + node.port() + "/");
        CountDownLatch stopped = new CountDownLatch(1);
        SignalHandler drain = signal -> {
            log.info("SIG{}: draining (up to {} ms)", signal.getName(), config.drainTimeout().toMillis());
            node.drain(config.drainTimeout());
            stopped.countDown();
        };
        Signal.handle(new Signal("TERM"), drain);
        Signal.handle(new Signal("INT"), drain);
        stopped.await();
        return 0;
    }

    RoomcastConfig toConfig() {
        RoomcastConfig.Builder b = DEFAULTS.toBuilder();
        if (host != null) b.host(host);
        if (port != null) b.port(port);
        if (ioThreads != null) b.ioThreads(ioThreads);
        if (maxMessageBytes != null) b.maxMessageBytes(maxMessageBytes);
        if (outboundBufferBytes != null) b.outboundBufferBytes(outboundBufferBytes);
        if (historySize != null) b.historySize(historySize);
        if (historyMaxAge != null) b.historyMaxAge(historyMaxAge);
        if (drainTimeout != null) b.drainTimeout(drainTimeout);
        if (maxTextBytes != null) b.maxTextBytes(maxTextBytes);
        if (historyMaxBytes != null) b.historyMaxBytes(historyMaxBytes);
        if (apiKey != null) b.apiKey(apiKey);
        if (handshakeTimeout != null) b.handshakeTimeout(handshakeTimeout);
        if (pingInterval != null) b.pingInterval(pingInterval);
        if (maxMissedPongs != null) b.maxMissedPongs(maxMissedPongs);
        if (maxConnections != null) b.maxConnections(maxConnections);
        if (maxConnectionsPerIp != null) b.maxConnectionsPerIp(maxConnectionsPerIp);
        if (clientIpHeader != null && !clientIpHeader.isBlank()) b.clientIpHeader(clientIpHeader.strip());
        if (allowedOrigins != null) b.allowedOrigins(commaSeparated(allowedOrigins));
        if (rateLimit != null) b.rateLimitPerSecond(rateLimit);
        if (rateLimitBurst != null) b.rateLimitBurst(rateLimitBurst);
        if (rateLimitCloseAfter != null) b.rateLimitCloseAfter(rateLimitCloseAfter);
        if (jwtSecret != null && !jwtSecret.isEmpty()) b.jwtSecret(jwtSecret);
        if (jwtPublicKey != null) b.jwtPublicKey(jwtPublicKey);
        if (tlsCert != null) b.tlsCert(tlsCert);
        if (tlsKey != null) b.tlsKey(tlsKey);
        if (broker != null && !broker.isBlank()) b.broker(broker.strip());
        if (redisPrefix != null) b.redisPrefix(redisPrefix);
        if (logFormat != null) b.logFormat(logFormat);
        if (adminPassword != null) b.adminPassword(adminPassword);
        return b.build();
    }

    private static List<String> commaSeparated(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).filter(item -> !item.isEmpty()).toList();
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
