package dev.roomcast.hub;

import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room membership of the sessions owned by one {@link Loop}, and the fan-out of events to
 * them. Confined to that loop: every method asserts it runs there, except {@link #broadcast}, which any
 * thread may call.
 *
 * <p>A message published by a session of this loop that nothing answers ({@link Hub#broadcastFrom}, the
 * plain-text endpoints), with no earlier broadcast still queued for this loop, fans out within the publish
 * instead of as a task: a message in a room of one (an echo) then costs no task, no hop and no wait behind the
 * loop's other work. The count of queued broadcasts keeps each room's order: a broadcast that another thread
 * queued earlier always runs first. Other publishes stay tasks, so a JSON publisher's {@code ok} still goes out
 * before its own copy of the message, and a join's presence change reaches the joining member only once it is held.
 *
 * <p>Writes are flushed in one pass per batch: {@link #loopBroadcast} only queues, and the first
 * write that leaves a session dirty schedules a single flush task behind the events already
 * queued on the loop, so a burst of broadcasts costs one flush per member, not one per event.
 *
 * <p>A member whose join is still reading history is <em>held</em>: its live events for that room
 * are kept (retained, in order) instead of delivered, until the hub takes them with
 * {@link #stopHolding} and delivers them behind the replay. At most {@link #MAX_HELD_EVENTS} are
 * kept per held member; past that the session is closed as a slow consumer.
 *
 * <p>Delivery latency is sampled per batch, not per delivery: the flush task reports how long ago the
 * oldest event it flushed reached the hub, which bounds the latency of every event in the batch.
 *
 * <p>A member that has just been given a position (its join's answer, its replay) has a <em>seam</em>:
 * until the room's first message after that position reaches it, live copies of messages at or before
 * the position are duplicates and are skipped. With Redis the history answer and the pub/sub copy of
 * a message travel on different connections, so the copy may arrive after the replay (#10).
 */
final class LoopShard {

    private static final Logger log = LoggerFactory.getLogger(LoopShard.class);

    /** Live events kept for one held member before it is closed as a slow consumer. */
    static final int MAX_HELD_EVENTS = 10_000;

    private final Loop loop;
    private final DeliveryLatency latency;
    private final Memberships memberships = new Memberships();
    private final List<Session> unflushed = new ArrayList<>();
    /**
     * Per room, its held members and the events kept for each. By room first, like the seams, so that a fan-out
     * looks its room up once and its members only while the room has a held one: a wave of joins fans each join's
     * presence change out to the whole room, and must not pay a lookup per member for it.
     */
    private final Map<String, Map<Session, List<SharedEvent>>> held = new HashMap<>();
    /** Per room, its members with a seam and the last position delivered to each. */
    private final Map<String, Map<Session, Position>> seams = new HashMap<>();
    private final Runnable flushTask = this::flushAll;
    private boolean flushScheduled;
    /** When the oldest event waiting for the scheduled flush reached the hub ({@link System#nanoTime}). */
    private long oldestUnflushedAt;
    private boolean fanningOut;
    /** Broadcasts handed to {@link #loop} as tasks and not started yet; raised on any thread, lowered on the loop. */
    private final AtomicInteger queuedBroadcasts = new AtomicInteger();
    /** Set on the loop for the length of an unanswered publish by one of its sessions ({@link Hub#broadcastFrom}). */
    private boolean deliverAtOnce;

    LoopShard(Loop loop, DeliveryLatency latency) {
        this.loop = loop;
        this.latency = latency;
    }

    Loop loop() {
        return loop;
    }

    /** Adds the session to the room; returns false if it already was a member. */
    boolean add(String room, Session session) {
        assertOwned("add");
        return memberships.add(room, session);
    }

    /** Removes the session from the room; returns false if it was not a member. */
    boolean remove(String room, Session session) {
        assertOwned("remove");
        if (!memberships.remove(room, session)) {
            return false;
        }
        releaseAll(stopHolding(room, session));
        closeSeam(room, session);
        return true;
    }

    /**
     * Marks {@code delivered} as the last message position the member has been given: live copies of
     * messages at or before it are skipped until a newer message of the room reaches the member.
     */
    void openSeam(String room, Session session, Position delivered) {
        assertOwned("openSeam");
        seams.computeIfAbsent(room, r -> new HashMap<>()).put(session, delivered);
    }

    /** Starts holding the live events of {@code room} for {@code session}, a member whose join reads history. */
    void hold(String room, Session session) {
        assertOwned("hold");
        held.computeIfAbsent(room, r -> new HashMap<>()).put(session, new ArrayList<>());
    }

    /**
     * Stops holding and returns the held events in arrival order, each retained for the caller to
     * release; null when the member is no longer held (it left, or was closed for holding too many).
     */
    List<SharedEvent> stopHolding(String room, Session session) {
        assertOwned("stopHolding");
        Map<Session, List<SharedEvent>> roomHeld = held.get(room);
        if (roomHeld == null) {
            return null;
        }
        List<SharedEvent> events = roomHeld.remove(session);
        if (roomHeld.isEmpty()) {
            held.remove(room);
        }
        return events;
    }

    /** Whether any session of this loop is in the room. */
    boolean hasMembers(String room) {
        assertOwned("hasMembers");
        return memberships.room(room) != null;
    }

    boolean isMember(String room, Session session) {
        assertOwned("isMember");
        return memberships.isMember(room, session);
    }

    /** The rooms the session is in, as a snapshot the caller may iterate while leaving them. */
    List<String> roomsOf(Session session) {
        assertOwned("roomsOf");
        return memberships.roomsOf(session);
    }

    /** Lets {@link #broadcast} deliver at once while a session of this loop publishes something nothing answers. */
    void deliverAtOnce(boolean atOnce) {
        assertOwned("deliverAtOnce");
        deliverAtOnce = atOnce;
    }

    /**
     * Fans the event out to this loop's members of the room: at once when called on this loop during
     * {@link #deliverAtOnce} with no earlier broadcast queued and no fan-out running, else as a task behind the
     * broadcasts queued before it. Any thread; borrows {@code event} (a queued task retains it). A broker calls
     * this for one room's events in their order (the local broker under the room's lock), which the count of
     * queued broadcasts then keeps: an event is delivered at once only when every earlier one handed to this
     * loop has already run.
     */
    void broadcast(String room, SharedEvent event, long reachedHubAt) {
        if (loop.inLoop() && deliverAtOnce && !fanningOut && queuedBroadcasts.get() == 0) {
            try {
                loopBroadcast(room, event, reachedHubAt);
            } catch (RuntimeException e) {
                // As a task it would have been logged by the loop; the publisher must not fail because of a member.
                log.warn("fan-out of an event of {} failed", room, e);
            }
            return;
        }
        event.retain();
        queuedBroadcasts.incrementAndGet();
        try {
            loop.execute(() -> {
                queuedBroadcasts.decrementAndGet();
                try {
                    loopBroadcast(room, event, reachedHubAt);
                } finally {
                    event.release();
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            queuedBroadcasts.decrementAndGet();
            event.release();
        }
    }

    /**
     * Queues the event to every member of the room on this loop. Borrows {@code event}, which
     * reached the hub at {@code reachedHubAt} ({@link System#nanoTime}).
     * Reentrancy rule: nothing called from here may join, leave or publish; sessions that must
     * close schedule it on the loop, to run after this fan-out.
     */
    void loopBroadcast(String room, SharedEvent event, long reachedHubAt) {
        assertOwned("loopBroadcast");
        Memberships.Room members = memberships.room(room);
        if (members == null) {
            return;
        }
        // Only echo:false messages pay for comparing session ids; the rest fan out as before.
        boolean exceptsOne = event.event() instanceof RoomEvent.Message m && m.exceptSession() != null;
        Map<Session, List<SharedEvent>> roomHeld = held.isEmpty() ? null : held.get(room);
        // A seam holds back only copies of stored messages (alreadyDelivered), so other events skip the lookups.
        boolean stored = event.event() instanceof RoomEvent.Message m && m.stored();
        Map<Session, Position> roomSeams = !stored || seams.isEmpty() ? null : seams.get(room);
        fanningOut = true;
        try {
            for (int i = 0, size = members.size(); i < size; i++) {
                Session member = members.member(i);
                if (exceptsOne && skips(event.event(), member)) {
                    continue;
                }
                if (roomHeld != null && heldBack(roomHeld, member, room, event)) {
                    continue;
                }
                if (roomSeams != null && alreadyDelivered(roomSeams, member, room, event.event())) {
                    continue;
                }
                if (member.push(event)) {
                    unflushed.add(member);
                }
            }
        } finally {
            fanningOut = false;
        }
        if (!unflushed.isEmpty() && !flushScheduled) {
            flushScheduled = true;
            oldestUnflushedAt = reachedHubAt;
            loop.execute(flushTask);
        } else if (flushScheduled && reachedHubAt - oldestUnflushedAt < 0) {
            // Events of different rooms reach the hub on different threads, so arrival order is not time order.
            oldestUnflushedAt = reachedHubAt;
        }
    }

    /** Whether {@code session} is the one session the event must not reach ({@code echo:false}). */
    static boolean skips(RoomEvent event, Session session) {
        return event instanceof RoomEvent.Message m && m.exceptSession() != null && m.exceptSession().equals(session.id());
    }

    /** Keeps the event for a held member; false when the member is not held. */
    private boolean heldBack(Map<Session, List<SharedEvent>> roomHeld, Session member, String room, SharedEvent event) {
        List<SharedEvent> events = roomHeld.get(member);
        if (events == null) {
            return false;
        }
        if (events.size() >= MAX_HELD_EVENTS) {
            releaseAll(stopHolding(room, member));
            // Scheduled, not inline: we are inside a fan-out over the room's members.
            loop.execute(() -> member.close(CloseReason.SLOW_CONSUMER));
            return true;
        }
        events.add(event.retain());
        return true;
    }

    /**
     * Whether a member with a seam has already been given this message; the first newer message
     * (or one of another epoch) closes the seam, since the room's later messages only grow.
     */
    private boolean alreadyDelivered(Map<Session, Position> roomSeams, Session member, String room, RoomEvent event) {
        Position delivered = roomSeams.get(member);
        // An ephemeral message has no position and is never replayed, so no seam can hold a copy of it.
        if (delivered == null || !(event instanceof RoomEvent.Message message) || !message.stored()) {
            return false;
        }
        Position at = message.position();
        if (at.epoch().equals(delivered.epoch()) && at.offset() <= delivered.offset()) {
            return true;
        }
        closeSeam(room, member);
        return false;
    }

    private void closeSeam(String room, Session session) {
        Map<Session, Position> roomSeams = seams.get(room);
        if (roomSeams != null && roomSeams.remove(session) != null && roomSeams.isEmpty()) {
            seams.remove(room);
        }
    }

    private static void releaseAll(List<SharedEvent> events) {
        if (events != null) {
            events.forEach(SharedEvent::release);
        }
    }

    private void flushAll() {
        flushScheduled = false;
        for (Session session : unflushed) {
            session.flush();
        }
        unflushed.clear();
        latency.batchFlushed(System.nanoTime() - oldestUnflushedAt);
    }

    private void assertOwned(String operation) {
        assert loop.inLoop() : operation + " touched loop " + loop.index() + "'s shard off its loop";
        if (fanningOut && !"loopBroadcast".equals(operation)) {
            throw new IllegalStateException(operation + " called during a fan-out of loop " + loop.index());
        }
    }
}
