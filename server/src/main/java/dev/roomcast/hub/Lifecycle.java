package dev.roomcast.hub;

/**
 * Hears when a room gets its first member on this node and loses its last, and when a user gets its first
 * JSON session on this node and loses its last (the lifecycle webhooks' source). Called inside the hub's
 * atomic step for that room or user, so one room's (one user's) calls arrive in the order of its changes;
 * implementations must only record or enqueue, never block or call back into the hub.
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
    };

    void roomOccupied(String room);

    void roomVacated(String room);

    void userOnline(String user);

    void userOffline(String user);
}
