package dev.roomcast.config;

/**
 * What one client may cost the node: message sizes, unsent bytes, connections, and the rate of
 * messages it may send.
 *
 * <p>Threading: immutable.
 */
public record Limits(
        @Setting(flag = "--max-message-bytes", defaultValue = "65536", min = "1", max = "67108864",
                help = "Largest message a client may send; larger ones close the connection with 1009."
                        + " At most half of --outbound-buffer-bytes.")
        int maxMessageBytes,
        @Setting(flag = "--max-payload-bytes", aliases = "--max-text-bytes", defaultValue = "16384", min = "1",
                max = "67108864",
                help = "Largest payload a JSON or HTTP publish may carry: the UTF-8 bytes of its text, or of its data as"
                        + " compact JSON; larger ones get text_too_long or data_too_long (HTTP 413). Its former name"
                        + " --max-text-bytes (ROOMCAST_MAX_TEXT_BYTES, limits.max-text-bytes) is still accepted.")
        int maxPayloadBytes,
        @Setting(flag = "--outbound-buffer-bytes", defaultValue = "1048576", min = "1024",
                help = "Unsent bytes one connection may hold (1 MiB by default): half in the socket's buffer, half waiting"
                        + " in front of it; past it the room's slow-consumer policy applies (by default the client is"
                        + " closed with 1013 slow consumer).")
        int outboundBufferBytes,
        @Setting(flag = "--max-connections", defaultValue = "50000", min = "1",
                help = "WebSocket connections this node serves; further upgrades get HTTP 503.")
        int maxConnections,
        @Setting(flag = "--max-connections-per-ip", defaultValue = "1000", min = "0",
                help = "WebSocket connections one client address may hold; further upgrades get HTTP 429; 0 means no limit.")
        int maxConnectionsPerIp,
        @Setting(flag = "--max-rooms-per-connection", defaultValue = "100", min = "1", max = "1000000",
                help = "Rooms one connection may be in at once; a JSON join beyond gets too_many_rooms.")
        int maxRoomsPerConnection,
        @Setting(flag = "--rate-limit", defaultValue = "20", min = "1", max = "1000000",
                help = "Messages per second a connection may send on average.")
        int rateLimitPerSecond,
        @Setting(flag = "--rate-limit-burst", defaultValue = "40", min = "1", max = "1000000",
                help = "Messages a connection may send at once after a pause.")
        int rateLimitBurst,
        @Setting(flag = "--rate-limit-close-after", defaultValue = "40", min = "1",
                help = "Dropped messages, without a pause long enough to refill the burst, after which a text client is"
                        + " closed with 1008.")
        int rateLimitCloseAfter) {

    public Limits {
        // The echo or broadcast of an accepted message is the message plus its envelope (the seed
        // prefix, the JSON fields), and may queue behind another: a message as large as the bound
        // could never be delivered and would close a client that reads as a slow consumer (#9).
        if (maxMessageBytes > outboundBufferBytes / 2) {
            throw new InvalidSetting("--max-message-bytes", "must be at most half of --outbound-buffer-bytes ("
                    + outboundBufferBytes + "), got " + maxMessageBytes
                    + ": its echo or broadcast could never be delivered; raise --outbound-buffer-bytes");
        }
    }
}
