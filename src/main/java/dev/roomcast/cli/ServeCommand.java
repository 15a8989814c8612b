package dev.roomcast.cli;

import dev.roomcast.Roomcast;
import dev.roomcast.config.RoomcastConfig;
import java.net.BindException;
import java.time.Duration;
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

    @Override
    public Integer call() throws Exception {
        RoomcastConfig config = toConfig();
        Roomcast node;
        try {
            node = Roomcast.start(config);
        } catch (BindException e) {
            System.err.println("roomcast: cannot listen on " + config.host() + ":" + config.port() + ": "
                    + (e.getMessage() == null ? "address unavailable" : e.getMessage()));
            return 1;
        }
        System.err.println("Roomcast serving http://" + hostForUrl(config.host()) + ":" + node.port() + "/");
        CountDownLatch stopped = new CountDownLatch(1);
        SignalHandler drain = signal -> {
            log.info("SIG{}: draining (up to {})", signal.getName(), config.drainTimeout());
            int left = node.drain(config.drainTimeout());
            if (left > 0) {
                log.warn("{} connections were still open after the drain timeout", left);
            }
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
        return b.build();
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
