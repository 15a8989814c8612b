package dev.roomcast.broker;

import dev.roomcast.room.Draft;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.Payload;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One room's in-memory history: the newest messages, bounded by count and age, and the
 * room's epoch and last offset. Keeps a shared counter of all logs' estimated bytes up to date.
 *
 * <p>Threading: not thread-safe; {@link LocalBroker} guards each log with its own monitor, which
 * also makes "append, then deliver" one step per room. {@link #lastTouchedMillis} may be read, and
 * {@link #subscribed} read and written, without it (both volatile).
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
    private final MessageRing messages;
    private final AtomicLong totalBytes;
    private long lastOffset;
    private volatile long lastTouchedMillis;
    private boolean evicted;
    /**
     * Whether this node subscribed to the room, as {@link LocalBroker} last copied it here (under the map's lock for
     * the room, so not under this log's monitor): the publish path reads it with the log it already holds instead of
     * looking the room up a second time.
     */
    private volatile boolean subscribed;

    /** @param totalBytes the estimated bytes of every log, which this log adds its own to */
    RoomLog(String epoch, RoomHistory history, Clock clock, AtomicLong totalBytes) {
        this.epoch = epoch;
        this.maxMessages = history.size();
        this.maxAge = history.maxAge();
        this.clock = clock;
        this.messages = new MessageRing(maxMessages);
        this.totalBytes = totalBytes;
        this.lastTouchedMillis = clock.millis();
        totalBytes.addAndGet(LOG_OVERHEAD_BYTES);
    }

    RoomEvent.Message append(String room, Draft draft) {
        lastOffset++;
        RoomEvent.Message message = RoomEvent.Message.of(room, new Position(epoch, lastOffset), draft);
        if (maxMessages > 0) {
            if (messages.size() == maxMessages) {
                removeOldest();
            }
            int bytes = estimatedBytes(message);
            messages.addNewest(message, bytes);
            totalBytes.addAndGet(bytes);
        }
        long now = clock.millis();
        dropExpired(now);
        lastTouchedMillis = now;
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

    boolean subscribed() {
        return subscribed;
    }

    void subscribed(boolean subscribed) {
        this.subscribed = subscribed;
    }

    /** Whether {@link #evict} ran: the log must not be used any more. */
    boolean evicted() {
        return evicted;
    }

    HistorySlice read(Position since, int limit) {
        dropExpired(clock.millis());
        Position current = new Position(epoch, lastOffset);
        if (since == null) {
            return new HistorySlice(newest(limit), current, true);
        }
        if (!since.epoch().equals(epoch) || since.offset() > lastOffset) {
            return new HistorySlice(List.of(), current, false);
        }
        long oldestKept = messages.isEmpty() ? lastOffset + 1 : messages.oldestOffset();
        boolean reachesBack = oldestKept <= since.offset() + 1;
        List<RoomEvent.Message> after = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            RoomEvent.Message m = messages.get(i);
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
        for (int i = skip; i < messages.size(); i++) {
            out.add(messages.get(i));
        }
        return out;
    }

    private void dropExpired(long nowMillis) {
        if (maxAge.isZero()) {
            return;
        }
        long cutoff = nowMillis - maxAge.toMillis();
        while (!messages.isEmpty() && messages.oldestTimestampMillis() < cutoff) {
            removeOldest();
        }
    }

    private void removeOldest() {
        totalBytes.addAndGet(-messages.removeOldest());
    }

    /** A rough size of a message in memory: its overhead plus two bytes per char of its strings. */
    private static int estimatedBytes(RoomEvent.Message message) {
        Payload payload = message.payload();
        int event = payload.event() == null ? 0 : payload.event().length();
        return Math.toIntExact(MESSAGE_OVERHEAD_BYTES + 2L * (payload.body().length() + event + message.from().length()));
    }
}
