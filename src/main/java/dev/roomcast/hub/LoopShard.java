package dev.roomcast.hub;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Room membership of the sessions owned by one {@link Loop}, and the fan-out of events to
 * them. Confined to that loop: every method asserts it runs there.
 *
 * <p>Writes are flushed in one pass per batch: {@link #fanOut} only queues, and the first
 * write that leaves a session dirty schedules a single flush task behind the events already
 * queued on the loop, so a burst of broadcasts costs one flush per member, not one per event.
 */
final class LoopShard {

    private final Loop loop;
    private final Map<String, Set<Session>> membersByRoom = new HashMap<>();
    private final Map<Session, Set<String>> roomsBySession = new HashMap<>();
    private final List<Session> unflushed = new ArrayList<>();
    private final Runnable flushTask = this::flushAll;
    private boolean flushScheduled;
    private boolean fanningOut;

    LoopShard(Loop loop) {
        this.loop = loop;
    }

    Loop loop() {
        return loop;
    }

    /** Adds the session to the room; returns false if it already was a member. */
    boolean add(String room, Session session) {
        assertOwned("add");
        if (!membersByRoom.computeIfAbsent(room, r -> new LinkedHashSet<>()).add(session)) {
            return false;
        }
        roomsBySession.computeIfAbsent(session, s -> new LinkedHashSet<>()).add(room);
        return true;
    }

    /** Removes the session from the room; returns false if it was not a member. */
    boolean remove(String room, Session session) {
        assertOwned("remove");
        Set<String> rooms = roomsBySession.get(session);
        if (rooms == null || !rooms.remove(room)) {
            return false;
        }
        if (rooms.isEmpty()) {
            roomsBySession.remove(session);
        }
        Set<Session> members = membersByRoom.get(room);
        members.remove(session);
        if (members.isEmpty()) {
            membersByRoom.remove(room);
        }
        return true;
    }

    /** Whether any session of this loop is in the room. */
    boolean hasMembers(String room) {
        assertOwned("hasMembers");
        return membersByRoom.containsKey(room);
    }

    boolean isMember(String room, Session session) {
        assertOwned("isMember");
        Set<String> rooms = roomsBySession.get(session);
        return rooms != null && rooms.contains(room);
    }

    /** The rooms the session is in, as a snapshot the caller may iterate while leaving them. */
    List<String> roomsOf(Session session) {
        assertOwned("roomsOf");
        Set<String> rooms = roomsBySession.get(session);
        return rooms == null ? List.of() : new ArrayList<>(rooms);
    }

    /**
     * Queues the event to every member of the room on this loop. Borrows {@code event}.
     * Reentrancy rule: nothing called from here may join, leave or publish; sessions that must
     * close schedule it on the loop, to run after this fan-out.
     */
    void fanOut(String room, PreparedEvent event) {
        assertOwned("fanOut");
        Set<Session> members = membersByRoom.get(room);
        if (members == null) {
            return;
        }
        fanningOut = true;
        try {
            for (Session member : members) {
                if (member.deliver(event)) {
                    unflushed.add(member);
                }
            }
        } finally {
            fanningOut = false;
        }
        if (!unflushed.isEmpty() && !flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    Set<Session> membersOf(String room) {
        assertOwned("membersOf");
        return Collections.unmodifiableSet(membersByRoom.getOrDefault(room, Set.of()));
    }

    private void flushAll() {
        flushScheduled = false;
        for (Session session : unflushed) {
            session.flush();
        }
        unflushed.clear();
    }

    private void assertOwned(String operation) {
        assert loop.inLoop() : operation + " touched loop " + loop.index() + "'s shard off its loop";
        if (fanningOut && !"fanOut".equals(operation) && !"membersOf".equals(operation)) {
            throw new IllegalStateException(operation + " called during a fan-out of loop " + loop.index());
        }
    }
}
