package dev.roomcast.hub;

import dev.roomcast.room.RoomEvent;

/**
 * A room event together with its wire bytes, built at most once per wire format and shared by
 * every recipient. Reference-counted: it starts with one reference, which the creator
 * releases; whoever keeps it longer than a call retains it first. The bytes are freed when the
 * last reference is released.
 */
public interface PreparedEvent {

    RoomEvent event();

    /** Adds a reference; returns this. */
    PreparedEvent retain();

    /** Drops a reference, freeing the bytes on the last one. */
    void release();
}
