package dev.roomcast.hub;

import dev.roomcast.room.RoomEvent;

/**
 * One broadcast as the hub hands it to every recipient: the room event and, opaque to the hub, its
 * wire bytes, encoded at most once per wire format and shared by all recipients on all loops. Reference-counted: it starts with one reference, which the creator
 * releases; whoever keeps it longer than a call retains it first. The bytes are freed when the
 * last reference is released.
 */
public interface SharedEvent {

    RoomEvent event();

    /** Adds a reference; returns this. */
    SharedEvent retain();

    /** Drops a reference, freeing the bytes on the last one. */
    void release();
}
