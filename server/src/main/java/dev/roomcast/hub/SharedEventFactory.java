package dev.roomcast.hub;

import dev.roomcast.room.RoomEvent;

/**
 * The port through which the hub turns each broadcast's event into one {@link SharedEvent} for all
 * its recipients. Implemented by the transport, where the wire formats and their encoding live.
 */
@FunctionalInterface
public interface SharedEventFactory {

    /** Returns a new prepared event holding one reference, which the caller releases. Any thread. */
    SharedEvent prepare(RoomEvent event);
}
