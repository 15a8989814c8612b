package dev.roomcast.broker;

import dev.roomcast.room.Draft;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.Payload;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One room's in-memory history: the newest messages, bounded by count and age, and the
 * room's epoch and last offset. Keeps a shared counter of all logs' estimated bytes up to date.
 *
 * <p>Threading: not thread-safe; {@link LocalBroker} guards each log with its own monitor, which
 * also makes "append, then deliver" one step per room. {@link #lastTouchedMillis} may be read
 * without it.
 */
final class RoomLog {

    /** Estimated bytes of an empty log (the object, its deque, the map entry holding it). */
    static final long LOG_OVERHEAD_BYTES = 256;
    /** Estimated bytes of a message beyond its strings (record, position, deque slot). */
    static final long MESSAGE_OVERHEAD_BYTES = 96;

    private final String epoch;
    private final int maxMessages;
    private final Duration maxAge;
    private final Clock clock;
    private final ArrayDeque<RoomEvent.Message> messages = new ArrayDeque<>();
    private final AtomicLong totalBytes;
    private long lastOffset;
    private volatile long lastTouchedMillis;
    private boolean evicted;

    /** @param totalBytes the estimated bytes of every log, which this log adds its own to */
    RoomLog(String epoch, RoomHistory history, Clock clock, AtomicLong totalBytes) {
        this.epoch = epoch;
        this.maxMessages = history.size();
        this.maxAge = history.maxAge();
        this.clock = clock;
        this.totalBytes = totalBytes;
        this.lastTouchedMillis = clock.millis();
        totalBytes.addAndGet(LOG_OVERHEAD_BYTES);
    }

    RoomEvent.Message append(String room, Draft draft) {
        lastOffset++;
        RoomEvent.Message message = RoomEvent.Message.of(room, new Position(epoch, lastOffset), draft);
        if (maxMessages > 0) {
            messages.addLast(message);
            totalBytes.addAndGet(estimatedBytes(message));
            while (messages.size() > maxMessages) {
                removeOldest();
            }
        }
        dropExpired();
        lastTouchedMillis = clock.millis();
        return message;
    }

    /**
     * Drops every message and gives the log's bytes back; the broker then forgets the log, so the
     * room's next use starts a new epoch and old positions no longer recover.
     */
    void evict() {
        while (!messages.isEmpty()) {
            removeOldest();
        }
        totalBytes.addAndGet(-LOG_OVERHEAD_BYTES);
        evicted = true;
    }

    /** Whether {@link #evict} ran: the log must not be used any more. */
    boolean evicted() {
        return evicted;
    }

    HistorySlice read(Position since, int limit) {
        dropExpired();
        Position current = new Position(epoch, lastOffset);
        if (since == null) {
            return new HistorySlice(newest(limit), current, true);
        }
        if (!since.epoch().equals(epoch) || since.offset() > lastOffset) {
            return new HistorySlice(List.of(), current, false);
        }
        long oldestKept = messages.isEmpty() ? lastOffset + 1 : messages.peekFirst().position().offset();
        boolean reachesBack = oldestKept <= since.offset() + 1;
        List<RoomEvent.Message> after = new ArrayList<>();
        for (RoomEvent.Message m : messages) {
            if (m.position().offset() > since.offset()) {
                if (after.size() == limit) {
                    return new HistorySlice(after, current, false);
                }
                after.add(m);
            }
        }
        return new HistorySlice(after, current, reachesBack);
    }

    long lastTouchedMillis() {
        return lastTouchedMillis;
    }

    private List<RoomEvent.Message> newest(int limit) {
        int skip = Math.max(0, messages.size() - limit);
        List<RoomEvent.Message> out = new ArrayList<>(Math.min(limit, messages.size()));
        Iterator<RoomEvent.Message> it = messages.iterator();
        for (int i = 0; it.hasNext(); i++) {
            RoomEvent.Message m = it.next();
            if (i >= skip) {
                out.add(m);
            }
        }
        return out;
    }

    private void dropExpired() {
        if (maxAge.isZero()) {
            return;
        }
        long cutoff = clock.millis() - maxAge.toMillis();
        while (!messages.isEmpty() && messages.peekFirst().timestampMillis() < cutoff) {
            removeOldest();
        }
    }

    private void removeOldest() {
        totalBytes.addAndGet(-estimatedBytes(messages.removeFirst()));
    }

    /** A rough size of a message in memory: its overhead plus two bytes per char of its strings. */
    private static long estimatedBytes(RoomEvent.Message message) {
        Payload payload = message.payload();
        int event = payload.event() == null ? 0 : payload.event().length();
        return MESSAGE_OVERHEAD_BYTES + 2L * (payload.body().length() + event + message.from().length());
    }
}
