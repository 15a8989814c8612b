package dev.roomcast.hub;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The sessions of each user on this node that accept direct messages, and whether the broker
 * routes the user's direct messages here.
 *
 * <p>Threading: thread-safe. Sessions of one user register on different loops; each user's entry
 * is changed inside {@link ConcurrentHashMap#compute} for that user, and the broker is told of a
 * first or last session inside the same atomic step, so its add and remove calls for one user
 * arrive in the order of the sessions they describe.
 */
final class UserSessions {

    /** One user's sessions here and the broker's answer to the first of them. */
    private static final class Entry {
        final Set<Session> sessions = ConcurrentHashMap.newKeySet();
        CompletionStage<Void> reachable;
    }

    private final ConcurrentHashMap<String, Entry> byUser = new ConcurrentHashMap<>();

    /**
     * Adds the session; for the user's first session here calls {@code reach} with the user. Returns
     * what {@code reach} returned for the user's sessions here: complete once the user is reachable.
     * {@code reach} must not block or touch these sessions.
     */
    CompletionStage<Void> add(Session session, Function<String, CompletionStage<Void>> reach) {
        Entry entry = byUser.compute(session.user(), (user, existing) -> {
            Entry current = existing == null ? new Entry() : existing;
            if (current.sessions.isEmpty()) {
                current.reachable = reach.apply(user);
            }
            current.sessions.add(session);
            return current;
        });
        return entry.reachable;
    }

    /** Removes the session; after the user's last one here calls {@code unreach} with the user. */
    void remove(Session session, Consumer<String> unreach) {
        byUser.computeIfPresent(session.user(), (user, entry) -> {
            if (!entry.sessions.remove(session) || !entry.sessions.isEmpty()) {
                return entry;
            }
            unreach.accept(user);
            return null;
        });
    }

    /** A snapshot of the user's sessions; empty when the user has none here. */
    List<Session> of(String user) {
        Entry entry = byUser.get(user);
        return entry == null ? List.of() : List.copyOf(entry.sessions);
    }
}
