package dev.roomcast.room;

/**
 * What a message carries: a text, or a JSON value already validated and written compactly (so it is
 * serialized once, on the way in, whatever the number of recipients), with an optional event name.
 * Exactly one of {@code text} and {@code data} is set.
 *
 * <p>Threading: immutable.
 *
 * @param event the application's name for the kind of message, or null
 * @param text  the text, or null for a data message
 * @param data  the compact JSON of the data, or null for a text message
 */
public record Payload(String event, String text, String data) {

    public Payload {
        if ((text == null) == (data == null)) {
            throw new IllegalArgumentException("a payload has either a text or data");
        }
    }

    public static Payload text(String text) {
        return new Payload(null, text, null);
    }

    /** The text, or the compact JSON of the data: what the text endpoints show and what counts against the size limit. */
    public String body() {
        return text != null ? text : data;
    }
}
