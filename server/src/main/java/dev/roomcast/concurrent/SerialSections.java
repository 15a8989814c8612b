package dev.roomcast.concurrent;

import java.util.function.Supplier;

/**
 * Runs actions one at a time per key (a room, a user), so that a change to shared state and the
 * reaction it calls for (subscribing a room, announcing a user, telling the broker) are one step for
 * that key: reactions to one key's changes happen in the order of the changes, whichever threads make
 * them. This is how {@code RoomDirectory}, {@code UserSessions} and the presence stores' {@code PresenceCounts}
 * keep order; the state an action touches is guarded by the section of its key.
 *
 * <p>Keys share {@value #STRIPES} monitors by hash: two keys on one stripe also wait for each other,
 * which costs a little waiting, never order. Rules for an action: short, never blocking, and never
 * entering a section of the same {@code SerialSections} (the same key would re-enter its own change
 * half-done; another key could deadlock with a thread doing the reverse): that is refused at once with
 * an {@link IllegalStateException}, at the call that breaks the rule.
 *
 * <p>Threading: thread-safe.
 */
public final class SerialSections {

    /** About four per core on a large machine; more only spreads the rare contention thinner. */
    static final int STRIPES = 64;

    private final Object[] stripes = new Object[STRIPES];
    /** Whether the current thread is inside one of these sections: re-entry is a bug, refused. */
    private final ThreadLocal<Boolean> inside = ThreadLocal.withInitial(() -> false);

    public SerialSections() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /** Runs {@code action} alone among the actions of {@code key}, after those that entered before it. */
    public void run(Object key, Runnable action) {
        call(key, () -> {
            action.run();
            return null;
        });
    }

    /** {@link #run} for an action with a result. */
    public <T> T call(Object key, Supplier<T> action) {
        if (inside.get()) {
            throw new IllegalStateException("an action entered a serial section from inside another (key " + key + ")");
        }
        synchronized (stripes[stripeOf(key)]) {
            inside.set(true);
            try {
                return action.get();
            } finally {
                inside.set(false);
            }
        }
    }

    /** Spreads the hash's high bits into the low ones, as {@code HashMap} does, so similar names spread. */
    static int stripeOf(Object key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }
}
