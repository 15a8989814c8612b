package dev.roomcast.hub;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which sessions of one loop are in which rooms, kept for fast fan-out and small idle memory:
 * each room's members sit in a plain array (a fan-out walks it with no pointer chasing), and
 * each membership is one small {@link Seat} that knows its slot, so leaving swaps the last member
 * into the hole in O(1). A session's seats form a short linked list: most sessions are in one
 * room. Not thread-safe; {@link LoopShard} confines it to its loop.
 */
final class Memberships {

    private static final int INITIAL_CAPACITY = 4;

    /** The members of one room, in no particular order. */
    static final class Room {
        private Session[] sessions = new Session[INITIAL_CAPACITY];
        private Seat[] seats = new Seat[INITIAL_CAPACITY];
        private int size;

        int size() {
            return size;
        }

        /** The member at {@code index}, for {@code 0 <= index < size()}. */
        Session member(int index) {
            return sessions[index];
        }

        private void add(Seat seat) {
            if (size == sessions.length) {
                sessions = Arrays.copyOf(sessions, size * 2);
                seats = Arrays.copyOf(seats, size * 2);
            }
            seat.index = size;
            sessions[size] = seat.session;
            seats[size] = seat;
            size++;
        }

        private void remove(Seat seat) {
            int last = size - 1;
            if (seat.index != last) {
                sessions[seat.index] = sessions[last];
                seats[seat.index] = seats[last];
                seats[seat.index].index = seat.index;
            }
            sessions[last] = null;
            seats[last] = null;
            size = last;
            // Give memory back after a crowd leaves, keeping room to grow again without copying at once.
            if (sessions.length > INITIAL_CAPACITY && size < sessions.length / 4) {
                int capacity = Math.max(INITIAL_CAPACITY, sessions.length / 2);
                sessions = Arrays.copyOf(sessions, capacity);
                seats = Arrays.copyOf(seats, capacity);
            }
        }
    }

    /** One session's membership of one room: the room, its slot there, the session's next seat. */
    private static final class Seat {
        final Session session;
        final String roomName;
        final Room room;
        int index;
        Seat next;

        Seat(Session session, String roomName, Room room, Seat next) {
            this.session = session;
            this.roomName = roomName;
            this.room = room;
            this.next = next;
        }
    }

    private final Map<String, Room> rooms = new HashMap<>();
    private final Map<Session, Seat> seatsBySession = new HashMap<>();

    /** Adds the session to the room; false if it already was a member. */
    boolean add(String roomName, Session session) {
        Seat first = seatsBySession.get(session);
        if (seatOf(first, roomName) != null) {
            return false;
        }
        Room room = rooms.computeIfAbsent(roomName, r -> new Room());
        Seat seat = new Seat(session, roomName, room, first);
        room.add(seat);
        seatsBySession.put(session, seat);
        return true;
    }

    /** Removes the session from the room; false if it was not a member. */
    boolean remove(String roomName, Session session) {
        Seat first = seatsBySession.get(session);
        Seat previous = null;
        for (Seat seat = first; seat != null; previous = seat, seat = seat.next) {
            if (seat.roomName.equals(roomName)) {
                seat.room.remove(seat);
                if (seat.room.size == 0) {
                    rooms.remove(roomName);
                }
                if (previous != null) {
                    previous.next = seat.next;
                } else if (seat.next != null) {
                    seatsBySession.put(session, seat.next);
                } else {
                    seatsBySession.remove(session);
                }
                return true;
            }
        }
        return false;
    }

    /** The room's members, or null when the room has none on this loop. */
    Room room(String roomName) {
        return rooms.get(roomName);
    }

    boolean isMember(String roomName, Session session) {
        return seatOf(seatsBySession.get(session), roomName) != null;
    }

    /** The rooms the session is in, as a new list. */
    List<String> roomsOf(Session session) {
        List<String> names = new ArrayList<>(1);
        for (Seat seat = seatsBySession.get(session); seat != null; seat = seat.next) {
            names.add(seat.roomName);
        }
        return names;
    }

    private static Seat seatOf(Seat first, String roomName) {
        for (Seat seat = first; seat != null; seat = seat.next) {
            if (seat.roomName.equals(roomName)) {
                return seat;
            }
        }
        return null;
    }
}
