package dev.roomcast.hub;

import dev.roomcast.room.Draft;
import dev.roomcast.room.Position;

/**
 * Hears when a room gets its first member on this node and loses its last, when a user gets its first
 * JSON session on this node and loses its last, and each message published from this node (the lifecycle
 * webhooks' source). Room and user changes are heard inside the hub's atomic step for that room or user, so one
 * room's (one user's) calls arrive in the order of its changes; implementations must only record or enqueue,
 * never block or call back into the hub.
 */
public interface Lifecycle {

    /** Nobody listens: what a hub without webhooks is given. */
    Lifecycle NONE = new Lifecycle() {
        @Override
        public void roomOccupied(String room) {
        }

        @Override
        public void roomVacated(String room) {
        }

        @Override
        public void userOnline(String user) {
        }

        @Override
        public void userOffline(String user) {
        }

        @Override
        public void messagePublished(String room, Draft message, Position position) {
        }
    };

    void roomOccupied(String room);

    void roomVacated(String room);

    void userOnline(String user);

    void userOffline(String user);

    /**
     * The broker took {@code message}, published from this node to {@code room}, at {@code position} (null for an
     * ephemeral message; the first publish's for a repeated idempotency key). Heard on the thread that completes
     * the publish, in the order the broker took this node's messages to the room.
     */
    void messagePublished(String room, Draft message, Position position);
}
