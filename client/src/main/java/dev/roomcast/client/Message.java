package dev.roomcast.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A room message as the server sent it in a {@code message} frame.
 *
 * <p>Threading: immutable (treat {@code data} as read-only).
 *
 * @param position null for a message published with {@code store:false}, which has none
 * @param event    the publisher's name for the kind of message, or null
 * @param text     the text, or null for a data message
 * @param data     the JSON value of a data message, numbers exactly as sent; null for a text message
 * @param ts       the server's time in milliseconds since the Unix epoch
 */
public record Message(String room, Position position, String from, String event, String text, JsonNode data, long ts) {
}
