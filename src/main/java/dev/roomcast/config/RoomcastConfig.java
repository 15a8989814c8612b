package dev.roomcast.config;

import java.time.Duration;

/**
 * Everything one node is configured with, immutable. Every default lives here, in
 * {@link Builder}; the CLI only overrides them.
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
        String apiKey) {

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .host(host).port(port).ioThreads(ioThreads)
                .maxMessageBytes(maxMessageBytes).outboundBufferBytes(outboundBufferBytes)
                .historySize(historySize).historyMaxAge(historyMaxAge)
                .drainTimeout(drainTimeout)
                .maxTextBytes(maxTextBytes).historyMaxBytes(historyMaxBytes).apiKey(apiKey);
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

        public RoomcastConfig build() {
            requireRange("port", port, 0, 65535);
            requireRange("io threads", ioThreads, 0, 1024);
            requireRange("max message bytes", maxMessageBytes, 1, 64 * 1024 * 1024);
            requireRange("outbound buffer bytes", outboundBufferBytes, 1024, Integer.MAX_VALUE);
            requireRange("history size", historySize, 0, 1_000_000);
            requireRange("max text bytes", maxTextBytes, 1, 64 * 1024 * 1024);
            requireRange("history max bytes", historyMaxBytes, 1, Long.MAX_VALUE);
            return new RoomcastConfig(host, port, ioThreads, maxMessageBytes, outboundBufferBytes,
                    historySize, historyMaxAge, drainTimeout, maxTextBytes, historyMaxBytes, apiKey);
        }

        private static void requireRange(String what, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(what + " must be between " + min + " and " + max + ", got " + value);
            }
        }
    }
}
