package dev.roomcast.room;

/**
 * A private message to every connection of one user, on whichever nodes they are. Not kept in
 * history. The broker routes it to the nodes that hold the recipient.
 */
public record DirectMessage(String from, String to, String text, long timestampMillis) {
}
