package dev.roomcast.room;

import java.security.SecureRandom;

/**
 * Where a message stands in its room's stream: {@code offset} grows by one per message,
 * {@code epoch} changes whenever the room's history is lost, so offsets are only comparable
 * within one epoch.
 */
public record Position(String epoch, long offset) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public Position {
        if (epoch == null || epoch.isEmpty()) {
            throw new IllegalArgumentException("epoch must not be empty");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
    }

    /** A new random epoch (63 bits, base 36), for a room whose history starts or starts over. */
    public static String newEpoch() {
        return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }
}
