package dev.roomcast.hub;

import dev.roomcast.room.Position;

/**
 * What a join asks to receive from history before live events: nothing, the newest
 * {@code newest} messages, or exactly the messages after {@code since}. Immutable.
 *
 * @param since  the last position the client saw, or null
 * @param newest how many of the newest messages to replay when {@code since} is null
 */
public record Replay(Position since, int newest) {

    /** Most messages one recovery replays; a store never keeps more than this per room. */
    static final int RECOVERY_LIMIT = 1_000_000;

    public static Replay none() {
        return new Replay(null, 0);
    }

    public static Replay newest(int count) {
        return new Replay(null, count);
    }

    public static Replay since(Position position) {
        return new Replay(position, 0);
    }

    boolean recovers() {
        return since != null;
    }

    /** The history read's limit. */
    int limit() {
        return recovers() ? RECOVERY_LIMIT : newest;
    }
}
