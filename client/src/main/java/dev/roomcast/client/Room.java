package dev.roomcast.client;

import java.util.function.Consumer;

/**
 * What a client remembers of a room it is in: who gets its messages and the newest position seen,
 * the {@code since} of its next rejoin.
 *
 * <p>Threading: guarded by the owning {@link RoomcastClient}'s lock.
 */
final class Room {

    Consumer<Message> listener;
    /** Null until the first join's answer or first message; afterwards only moves forward. */
    Position position;
    /** Joined at least once, so a reconnect rejoins it. */
    boolean active;

    Room(Consumer<Message> listener) {
        this.listener = listener;
    }

    void advance(Position seen) {
        if (seen.isAfter(position)) {
            position = seen;
        }
    }
}
