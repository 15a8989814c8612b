package dev.roomcast.broker;

/** A message before the broker has given it a position. */
public record Draft(String from, String text, long timestampMillis) {
}
