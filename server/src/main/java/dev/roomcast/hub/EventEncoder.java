package dev.roomcast.hub;

import dev.roomcast.room.RoomEvent;

/**
 * Port through which the hub asks the transport to prepare an event's wire bytes once per
 * broadcast. Implemented outside the hub, where the wire formats live.
 */
@FunctionalInterface
public interface EventEncoder {

    /** Returns a new prepared event holding one reference, which the caller releases. Any thread. */
    PreparedEvent prepare(RoomEvent event);
}
