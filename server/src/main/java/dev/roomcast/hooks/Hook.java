package dev.roomcast.hooks;

import java.util.Locale;

/** The hooks a backend can answer; the metrics tag each call with {@link #tag()}. */
public enum Hook {
    CONNECT, JOIN, PUBLISH;

    /** The lower-case name: the {@code hook} field of a call's body and the metrics tag. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
