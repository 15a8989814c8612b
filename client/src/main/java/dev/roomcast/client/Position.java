package dev.roomcast.client;

/**
 * Where a message stands in its room: {@code offset} grows by one per message, {@code epoch}
 * changes when the room's history is lost, so offsets compare only within one epoch.
 *
 * <p>Threading: immutable.
 */
public record Position(String epoch, long offset) {

    /** Whether this position comes after {@code other}: a different epoch always counts as later. */
    public boolean isAfter(Position other) {
        return other == null || !epoch.equals(other.epoch) || offset > other.offset;
    }
}
