package dev.roomcast.room;

import java.util.List;

/**
 * Messages read from a room's history.
 *
 * @param messages the messages after the requested position, oldest first
 * @param current  the position of the newest message in the room (offset 0 when it has none)
 * @param complete false when the history no longer reaches back to the requested position,
 *                 or the epoch changed, so some messages cannot be recovered
 */
public record HistorySlice(List<RoomEvent.Message> messages, Position current, boolean complete) {
}
