package dev.roomcast.protocol;

/** The ways a room event can be written to a client; a broadcast is encoded once per format. */
public enum WireFormat {
    /** The seed tutorial's plain-text lines ({@code /ws}, {@code /ws/{room}}). */
    SEED_TEXT,
    /** The JSON protocol v1 ({@code /v1/ws}). */
    JSON_V1
}
