package dev.roomcast.broker;

import dev.roomcast.room.Position;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The idempotency keys of one node's recent publishes, per room, each with the position its first
 * publish got: what makes a retried publish answer instead of deliver again, for the in-process broker.
 *
 * <p>Memory is bounded: a key is forgotten {@code window} after its first publish, and at most
 * {@code maxKeys} are kept; past that the oldest are forgotten early, so a retry of one of them
 * after that would be delivered again. Each entry costs about 150 bytes plus its room and key.
 *
 * <p>Threading: thread-safe, guarded by its monitor. {@link LocalBroker} checks and remembers a key
 * while it holds the room's log, so two publishes with one key in one room cannot both deliver.
 */
final class RecentKeys {

    /** What a key's first publish got: its position, or null for an ephemeral message. */
    record Seen(Position position) {
    }

    private record Key(String room, String key) {
    }

    private record Entry(Seen seen, long expiresAtMillis) {
    }

    private final Duration window;
    private final int maxKeys;
    private final Clock clock;
    /** In the order keys were first published, so the oldest (the first to expire) are at the head. */
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>();

    RecentKeys(Duration window, int maxKeys, Clock clock) {
        this.window = window;
        this.maxKeys = maxKeys;
        this.clock = clock;
    }

    /** What the key's first publish in the room got, or null when it has none within the window. */
    synchronized Seen seen(String room, String key) {
        forgetExpired();
        Entry entry = entries.get(new Key(room, key));
        return entry == null ? null : entry.seen();
    }

    /** Remembers the key's first publish in the room for the window. */
    synchronized void remember(String room, String key, Position position) {
        entries.put(new Key(room, key), new Entry(new Seen(position), clock.millis() + window.toMillis()));
        while (entries.size() > maxKeys) {
            Iterator<Map.Entry<Key, Entry>> oldest = entries.entrySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    synchronized int size() {
        return entries.size();
    }

    private void forgetExpired() {
        long now = clock.millis();
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext() && it.next().expiresAtMillis() <= now) {
            it.remove();
        }
    }
}
