package dev.roomcast.broker;

/**
 * Where a message stands in its room's stream: {@code offset} grows by one per message,
 * {@code epoch} changes whenever the room's history is lost, so offsets are only comparable
 * within one epoch.
 */
public record Position(String epoch, long offset) {

    public Position {
        if (epoch == null || epoch.isEmpty()) {
            throw new IllegalArgumentException("epoch must not be empty");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
    }
}
