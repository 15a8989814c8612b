package dev.roomcast.broker.redis;

import dev.roomcast.broker.BrokerListener;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * What this node has delivered of one subscribed room, kept so that the room's members get its
 * messages as one sequence with no silent gap: the position of the last message delivered (with the
 * newest ones' hashes, to tell a copy from another message at a position a failover lost), and,
 * while the node catches up from history (after its pub/sub connection dropped, or when a live
 * message skips ahead of the last one), the live events held back until the read is delivered.
 *
 * <p>Held events are bounded by {@link #MAX_HELD_EVENTS}: past it they are dropped and the room is
 * read from history again after the current read, so memory stays flat however long the read takes
 * and nothing the history still holds is lost; what it no longer holds is announced with a
 * {@link RoomEvent.Gap}.
 *
 * <p>Threading: thread-safe, guarded by its monitor. Live events arrive on a Lettuce I/O thread and a
 * catch-up completes on one; the listener is called under the monitor, which is what keeps a room's
 * events in order across the two (the listener only enqueues, so the monitor is held briefly).
 */
final class RoomFeed {

    /** Live events held back during one catch-up; past this they are dropped and read from history instead. */
    static final int MAX_HELD_EVENTS = 10_000;
    /** How many of the newest messages delivered are remembered (by hash), more than a failover loses of a room. */
    static final int RECENT = 64;

    private final String room;
    /** The last message delivered (or the position a gap was announced at), or null if none since subscribing. */
    private Position last;
    /**
     * Hashes of the messages delivered at offsets {@link #recentFrom} to {@link #last} of its epoch, each at
     * {@code offset % RECENT}: how a message at one of those offsets is told from a copy of the one delivered there.
     */
    private final int[] recent = new int[RECENT];
    /** The oldest offset whose hash {@link #recent} holds; above {@link #last}'s offset when it holds none. */
    private long recentFrom;
    /**
     * Whether another message arrived at an offset this node delivered: a failover lost the one delivered there and a
     * node that never received it published at its offset again, so the epoch's offsets name two messages and the room
     * must move to a new epoch (see {@link #lastDelivered}).
     */
    private boolean reused;
    /**
     * The epoch a gap moved this feed away from, or null: its messages still arriving (published before the
     * room moved to a new epoch, after a failover lost some of them) are stale and dropped.
     */
    private String leftEpoch;
    /** The room's position just after the subscription took effect: where a catch-up starts if nothing was delivered. */
    private Position subscribedAt;
    /** Live events held back while catching up; null when delivering live. */
    private List<RoomEvent> held;
    /** Whether held events were dropped at the bound during this catch-up. */
    private boolean dropped;
    /** Whether a history read for this feed is in flight, so a second trigger does not start another. */
    private boolean reading;
    /**
     * Whether the subscription was made again while that read was in flight: the read may have ended before the
     * new subscription took effect, so the room is read once more after it (what was published in between reached
     * this node neither way).
     */
    private boolean readAgain;

    RoomFeed(String room) {
        this.room = room;
    }

    /**
     * A live event from the channel: delivered now, or held back while catching up. Returns true when
     * the caller must start a catch-up: a message skipped ahead of the last one delivered.
     */
    synchronized boolean offer(RoomEvent event, BrokerListener listener) {
        if (held != null) {
            keep(event);
            return false;
        }
        if (skipsAhead(event) || reuses(event)) {
            held = new ArrayList<>();
            held.add(event);
            return true;
        }
        pass(event, listener);
        return false;
    }

    /**
     * The last message delivered, or null: what this node has seen of the room, which the scripts compare with
     * the room's position to find messages a failover lost. Once another message arrived at its offset, the end of
     * its epoch instead: the scripts then move the room to a new epoch however far the reused offsets went.
     */
    synchronized Position lastDelivered() {
        return reused ? new Position(last.epoch(), Long.MAX_VALUE) : last;
    }

    synchronized void subscribedAt(Position position) {
        if (subscribedAt == null) {
            subscribedAt = position;
        }
    }

    /** The connection dropped: hold live events back until a catch-up delivers what was missed. */
    synchronized void hold() {
        if (held == null) {
            held = new ArrayList<>();
        }
    }

    /**
     * Where the messages this node may have missed start, or null if it cannot tell; also marks a read
     * as started, and answers null when one already is (it will deliver, or read again).
     */
    synchronized Position startReading() {
        if (reading) {
            return null;
        }
        Position from = last != null ? last : subscribedAt;
        reading = from != null;
        readAgain = false;
        return from;
    }

    /** The subscription was made again and is in effect: a read in flight is followed by another one. */
    synchronized void resubscribed() {
        readAgain = reading;
    }

    /** No position to read from: delivers what is held as it is, unless a read is in flight. */
    synchronized void releaseHeldUnlessReading(BrokerListener listener) {
        if (!reading && held != null) {
            List<RoomEvent> live = held;
            held = null;
            dropped = false;
            live.forEach(event -> pass(event, listener));
        }
    }

    /** A read failed; the caller retries it later. */
    synchronized void readFailed() {
        reading = false;
    }

    /**
     * Delivers what a history read found: a gap announcement when some messages can no longer be
     * had ({@code gapAfter} not null), the missed messages, then the held live events. Returns true
     * when the room must be read again: the subscription was made again during the read, events were
     * dropped at the bound, or a held message skips ahead of what has been delivered; the remaining
     * events stay held.
     */
    synchronized boolean catchUp(Position gapAfter, List<RoomEvent.Message> missed, BrokerListener listener) {
        reading = false;
        if (gapAfter != null) {
            if (last != null && !last.epoch().equals(gapAfter.epoch())) {
                leftEpoch = last.epoch();
                reused = false;
            }
            last = gapAfter;
            recentFrom = gapAfter.offset() + 1;
            listener.onEvent(new RoomEvent.Gap(room, gapAfter));
        }
        for (RoomEvent.Message message : missed) {
            if (reuses(message)) {
                // Read again: the scripts move the room to a new epoch, announced before its messages.
                held = held == null ? new ArrayList<>() : held;
                return true;
            }
            pass(message, listener);
        }
        if (readAgain) {
            held = held == null ? new ArrayList<>() : held;
            return true;
        }
        if (held == null) {
            return false;
        }
        if (dropped) {
            dropped = false;
            held.clear();
            return true;
        }
        for (int i = 0; i < held.size(); i++) {
            if (skipsAhead(held.get(i)) || reuses(held.get(i))) {
                held = new ArrayList<>(held.subList(i, held.size()));
                return true;
            }
            pass(held.get(i), listener);
        }
        held = null;
        return false;
    }

    private void keep(RoomEvent event) {
        if (dropped) {
            return;
        }
        if (held.size() >= MAX_HELD_EVENTS) {
            // Memory stays flat: everything from here on is read from history after this catch-up.
            dropped = true;
            held.clear();
            return;
        }
        held.add(event);
    }

    /**
     * Whether a message is not the next of the room after the last one delivered: some were missed, or the
     * room moved to another epoch, which members are told of with a gap before its messages.
     */
    private boolean skipsAhead(RoomEvent event) {
        if (last == null || !(event instanceof RoomEvent.Message message) || !message.stored()
                || message.position().epoch().equals(leftEpoch)) {
            return false;
        }
        Position at = message.position();
        return !at.epoch().equals(last.epoch()) || at.offset() > last.offset() + 1;
    }

    /**
     * Whether a message is another one than the message delivered at its position: the offset was published at
     * again after a failover lost the first (the publishing node had not received it). Once found, every message
     * is read from history until the room is in a new epoch.
     */
    private boolean reuses(RoomEvent event) {
        if (event instanceof RoomEvent.Message message && message.stored() && last != null
                && message.position().epoch().equals(last.epoch()) && message.position().offset() <= last.offset()
                && message.position().offset() >= recentFrom
                && recent[(int) (message.position().offset() % RECENT)] != message.hashCode()) {
            reused = true;
        }
        return reused;
    }

    private void pass(RoomEvent event, BrokerListener listener) {
        if (event instanceof RoomEvent.Message message && message.stored()) {
            Position at = message.position();
            if (at.epoch().equals(leftEpoch)
                    || last != null && last.epoch().equals(at.epoch()) && at.offset() <= last.offset()) {
                return;
            }
            boolean next = last != null && last.epoch().equals(at.epoch()) && at.offset() == last.offset() + 1;
            recentFrom = next ? Math.max(recentFrom, at.offset() - RECENT + 1) : at.offset();
            recent[(int) (at.offset() % RECENT)] = message.hashCode();
            last = at;
        }
        listener.onEvent(event);
    }
}
