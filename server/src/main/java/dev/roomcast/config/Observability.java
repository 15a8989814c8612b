package dev.roomcast.config;

/**
 * How the node reports on itself to operators: the shape of its log lines.
 *
 * <p>Threading: immutable.
 */
public record Observability(
        @Setting(flag = "--log-format", defaultValue = "text",
                help = "How log lines are written to stderr: 'text' (one line each, ISO-8601 time) or 'json' (one JSON"
                        + " object each, for log shippers).")
        LogFormat logFormat) {

    /** How log lines are written: one line of text each, or one JSON object each (Logback's JsonEncoder). */
    public enum LogFormat { TEXT, JSON }
}
