package dev.roomcast.hub;

import dev.roomcast.concurrent.SerialSections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The sessions of each user on this node that accept direct messages, and whether the router
 * routes the user's direct messages here.
 *
 * <p>Threading: thread-safe. Sessions of one user register on different loops; each user's entry
 * is changed in the user's {@link SerialSections section}, and the router is told of a first or last
 * session in the same step, so its add and remove calls for one user arrive in the order of the
 * sessions they describe. {@link #of} reads without locks.
 */
final class UserSessions {

    /** One user's sessions here and the router's answer to the first of them. */
    private static final class Entry {
        final Set<Session> sessions = ConcurrentHashMap.newKeySet();
        /** Set in the user's section. */
        CompletionStage<Void> reachable;
    }

    private final ConcurrentHashMap<String, Entry> byUser = new ConcurrentHashMap<>();
    private final SerialSections sections = new SerialSections();

    /**
     * Adds the session; for the user's first session here calls {@code reach} with the user. Returns
     * what {@code reach} returned for the user's sessions here: complete once the user is reachable.
     * {@code reach} must not block or touch these sessions.
     */
    CompletionStage<Void> add(Session session, Function<String, CompletionStage<Void>> reach) {
        String user = session.user();
        return sections.call(user, () -> {
            Entry entry = byUser.computeIfAbsent(user, u -> new Entry());
            if (entry.sessions.isEmpty()) {
                entry.reachable = reach.apply(user);
            }
            entry.sessions.add(session);
            return entry.reachable;
        });
    }

    /** Removes the session; after the user's last one here calls {@code unreach} with the user. */
    void remove(Session session, Consumer<String> unreach) {
        String user = session.user();
        sections.run(user, () -> {
            Entry entry = byUser.get(user);
            if (entry == null || !entry.sessions.remove(session) || !entry.sessions.isEmpty()) {
                return;
            }
            byUser.remove(user);
            unreach.accept(user);
        });
    }

    /** A snapshot of the user's sessions; empty when the user has none here. */
    List<Session> of(String user) {
        Entry entry = byUser.get(user);
        return entry == null ? List.of() : List.copyOf(entry.sessions);
    }
}
