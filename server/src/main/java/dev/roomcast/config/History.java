package dev.roomcast.config;

import java.time.Duration;

/**
 * What each room remembers for history and recovery, and how much memory all rooms' history may
 * use together.
 *
 * <p>Threading: immutable.
 */
public record History(
        @Setting(flag = "--history-size", defaultValue = "100", min = "0", max = "1000000",
                help = "Messages kept per room for history and recovery.")
        int historySize,
        @Setting(flag = "--history-max-age", defaultValue = "1h",
                help = "Oldest message kept per room, e.g. 30m; 0 keeps them regardless of age.")
        Duration historyMaxAge,
        @Setting(flag = "--history-max-bytes", defaultValue = "67108864", min = "1",
                help = "Approximate memory all rooms' in-memory history may use together (64 MiB by default);"
                        + " the least recently active rooms lose theirs first.")
        long historyMaxBytes,
        @Setting(flag = "--idempotency-window", defaultValue = "5m", min = "1s", max = "24h",
                help = "How long a publish's idempotency key is remembered per room: a publish with the same key in the"
                        + " same room within it is answered with the first one's position and not delivered again.")
        Duration idempotencyWindow) {

    /**
     * How long a room's Redis keys outlive its last message: as long as the message may be kept
     * ({@code historyMaxAge}), or a day when history is kept regardless of age; every key needs a TTL.
     */
    public Duration redisRoomTtl() {
        return historyMaxAge.isZero() ? NO_AGE_LIMIT_TTL : historyMaxAge;
    }

    /** How long the Redis keys of a room whose history has no age limit outlive its last message. */
    public static final Duration NO_AGE_LIMIT_TTL = Duration.ofDays(1);
}
