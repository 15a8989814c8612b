package dev.roomcast.hub;

import dev.roomcast.room.DirectMessage;

/**
 * What the hub needs from one client connection. A session belongs to one {@link Loop} for its
 * whole life; {@link #push}, {@link #pushDirect} and {@link #flush} are only called on that loop.
 */
public interface Session {

    /** Unique among this node's sessions. */
    String id();

    /** The user this session acts for (a generated guest name when anonymous). */
    String user();

    Loop loop();

    /**
     * Queues the event for the client without flushing. Borrows {@code event}: an implementation
     * that keeps its bytes retains them. Must not join, leave or publish (it runs inside a
     * fan-out); a session that must close schedules the close instead of closing inline.
     *
     * @return true when this write left the session with unflushed data it did not have before,
     *         so the caller must {@link #flush} it once
     */
    boolean push(SharedEvent event);

    /**
     * Sends a direct message addressed to this session's user, flushed. Rendered for this one
     * recipient; a session whose wire format has no direct messages ignores it.
     */
    void pushDirect(DirectMessage message);

    /** Flushes what {@link #push} queued. */
    void flush();

    /** Closes the connection with the given reason. Any thread. */
    default void close(CloseReason reason) {
        close(reason, reason.text());
    }

    /** Closes the connection with the reason's code and {@code phrase} (at most 123 UTF-8 bytes) for its text. Any thread. */
    void close(CloseReason reason, String phrase);
}
