package dev.roomcast.broker;

import dev.roomcast.room.RoomEvent;

/**
 * The messages one {@link RoomLog} keeps, oldest first, in a ring that grows up to its bound, with each
 * message's estimated bytes and timestamp kept beside it in primitive arrays. Trimming reads only those: the
 * oldest message of a busy room was written long ago and is out of the CPU's caches, and reading its payload's
 * strings to size it cost the local broker's publish more than the rest of the append (issue 19's profile).
 *
 * <p>Threading: not thread-safe; its {@link RoomLog} confines it (to the room's monitor).
 */
final class MessageRing {

    private static final int INITIAL_CAPACITY = 16;

    private final int maxSize;
    private RoomEvent.Message[] messages;
    private int[] bytes;
    private long[] timestamps;
    /** Where the oldest message is. */
    private int head;
    private int size;

    /** An empty ring for at most {@code maxSize} messages (none when it is 0). */
    MessageRing(int maxSize) {
        this.maxSize = maxSize;
        int capacity = Math.min(maxSize, INITIAL_CAPACITY);
        messages = new RoomEvent.Message[capacity];
        bytes = new int[capacity];
        timestamps = new long[capacity];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds {@code message}, of {@code estimatedBytes}, as the newest; the caller first makes room when the ring is full. */
    void addNewest(RoomEvent.Message message, int estimatedBytes) {
        if (size == maxSize) {
            throw new IllegalStateException("the ring is full: remove the oldest first");
        }
        if (size == messages.length) {
            grow();
        }
        int at = slot(size);
        messages[at] = message;
        bytes[at] = estimatedBytes;
        timestamps[at] = message.timestampMillis();
        size++;
    }

    /** The oldest message's timestamp, without reading the message; the ring must not be empty. */
    long oldestTimestampMillis() {
        return timestamps[head];
    }

    /** The oldest message's offset; the ring must not be empty. */
    long oldestOffset() {
        return messages[head].position().offset();
    }

    /** Removes the oldest message and returns its estimated bytes; the ring must not be empty. */
    int removeOldest() {
        int removed = bytes[head];
        messages[head] = null;
        head = head + 1 == messages.length ? 0 : head + 1;
        size--;
        return removed;
    }

    /** The {@code index}th message, counted from the oldest (0). */
    RoomEvent.Message get(int index) {
        return messages[slot(index)];
    }

    private int slot(int index) {
        int at = head + index;
        return at >= messages.length ? at - messages.length : at;
    }

    /** Doubles the capacity, up to the bound, putting the oldest message first. */
    private void grow() {
        int capacity = (int) Math.min((long) messages.length * 2, maxSize);
        RoomEvent.Message[] grownMessages = new RoomEvent.Message[capacity];
        int[] grownBytes = new int[capacity];
        long[] grownTimestamps = new long[capacity];
        for (int i = 0; i < size; i++) {
            int at = slot(i);
            grownMessages[i] = messages[at];
            grownBytes[i] = bytes[at];
            grownTimestamps[i] = timestamps[at];
        }
        messages = grownMessages;
        bytes = grownBytes;
        timestamps = grownTimestamps;
        head = 0;
    }
}
