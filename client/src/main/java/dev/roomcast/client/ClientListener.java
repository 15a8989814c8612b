package dev.roomcast.client;

/**
 * What a {@link RoomcastClient} tells its application besides room messages (those go to the
 * listener given to {@link RoomcastClient#join}). Every method has an empty default.
 *
 * <p>Threading: called on the client's callback executor, one call at a time per client, in the
 * order the frames arrived; see {@link RoomcastClient}.
 */
public interface ClientListener {

    /** A private message to this client's user. */
    default void onDirect(DirectMessage message) {
    }

    /** A user's first session entered, or its last session left, a room this client is in. */
    default void onPresence(PresenceChange change) {
    }

    /**
     * The member count of a room this client is in whose namespace keeps only a count; at most one a second, and
     * none while it does not change.
     */
    default void onOccupancy(Occupancy occupancy) {
    }

    /** The connection opened, was lost (and will be retried), or closed for good. */
    default void onConnection(ConnectionEvent event) {
    }

    /** The outcome of rejoining a room after a reconnect; {@code recovered()} false means reload the room. */
    default void onRecovery(Recovery recovery) {
    }

    /** A failure nobody awaits: an error frame without a waiting request, or a failed automatic rejoin or refresh. */
    default void onError(Throwable error) {
    }
}
