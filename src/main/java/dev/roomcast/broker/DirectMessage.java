package dev.roomcast.broker;

/**
 * A private message to every connection of one user. Not kept in history. It lives next to
 * {@link RoomEvent} because a multi-node broker is what will route it to the node holding the
 * recipient; for now the hub delivers it on this node only.
 */
public record DirectMessage(String from, String to, String text, long timestampMillis) {
}
