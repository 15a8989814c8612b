package dev.roomcast.broker;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One room's in-memory history: the newest messages, bounded by count and age, and the
 * room's epoch and last offset. Not thread-safe: {@link LocalBroker} guards each log with its
 * own monitor, which also makes "append, then deliver" one step per room.
 */
final class RoomLog {

    private final String epoch;
    private final int maxMessages;
    private final Duration maxAge;
    private final Clock clock;
    private final ArrayDeque<RoomEvent.Message> messages = new ArrayDeque<>();
    private long lastOffset;
    private long lastTouchedMillis;

    RoomLog(String epoch, int maxMessages, Duration maxAge, Clock clock) {
        this.epoch = epoch;
        this.maxMessages = maxMessages;
        this.maxAge = maxAge;
        this.clock = clock;
        this.lastTouchedMillis = clock.millis();
    }

    RoomEvent.Message append(String room, Draft draft) {
        lastOffset++;
        RoomEvent.Message message = new RoomEvent.Message(
                room, new Position(epoch, lastOffset), draft.from(), draft.text(), draft.timestampMillis());
        if (maxMessages > 0) {
            messages.addLast(message);
            while (messages.size() > maxMessages) {
                messages.removeFirst();
            }
        }
        lastTouchedMillis = clock.millis();
        return message;
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

    int size() {
        return messages.size();
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
            messages.removeFirst();
        }
    }
}
