package dev.roomcast.broker.redis;

import dev.roomcast.broker.BrokerListener;
import dev.roomcast.broker.Position;
import dev.roomcast.broker.RoomEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * What this node has delivered of one subscribed room: the position of the last message, so that
 * after the pub/sub connection drops and comes back the messages published meanwhile can be read from
 * history and delivered once, in order, before the live events held back during that read.
 *
 * <p>Threading: thread-safe, guarded by its monitor. Live events arrive on a Lettuce I/O thread and a
 * catch-up completes on one; the listener is called under the monitor, which is what keeps a room's
 * events in order across the two (the listener only enqueues, so the monitor is held briefly).
 */
final class RoomFeed {

    /** The last message delivered, or null if none was since subscribing. */
    private Position last;
    /** The room's position just after the subscription took effect: where a catch-up starts if nothing was delivered. */
    private Position subscribedAt;
    /** Live events held back while catching up; null when not catching up. */
    private List<RoomEvent> held;

    /** A live event from the channel: delivered now, or held back while catching up. */
    synchronized void offer(RoomEvent event, BrokerListener listener) {
        if (held != null) {
            held.add(event);
        } else {
            pass(event, listener);
        }
    }

    synchronized void subscribedAt(Position position) {
        if (subscribedAt == null) {
            subscribedAt = position;
        }
    }

    /** The connection dropped: hold live events back until {@link #catchUp}. */
    synchronized void hold() {
        if (held == null) {
            held = new ArrayList<>();
        }
    }

    /** Where the messages this node may have missed start, or null if it cannot tell. */
    synchronized Position resumeFrom() {
        return last != null ? last : subscribedAt;
    }

    /**
     * Delivers the messages read from history, then the live events held back, skipping every message
     * already delivered, and stops holding.
     */
    synchronized void catchUp(List<RoomEvent.Message> missed, BrokerListener listener) {
        missed.forEach(message -> pass(message, listener));
        List<RoomEvent> live = held;
        held = null;
        if (live != null) {
            live.forEach(event -> pass(event, listener));
        }
    }

    private void pass(RoomEvent event, BrokerListener listener) {
        if (event instanceof RoomEvent.Message message && message.stored()) {
            Position at = message.position();
            if (last != null && last.epoch().equals(at.epoch()) && at.offset() <= last.offset()) {
                return;
            }
            last = at;
        }
        listener.onEvent(event);
    }
}
