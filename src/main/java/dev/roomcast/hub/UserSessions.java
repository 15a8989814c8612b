package dev.roomcast.hub;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions of each user on this node that accept direct messages.
 *
 * <p>Threading: thread-safe. Sessions of one user register on different loops; each user's set
 * is changed inside {@link ConcurrentHashMap#compute} for that user, and read as a snapshot.
 */
final class UserSessions {

    private final ConcurrentHashMap<String, Set<Session>> byUser = new ConcurrentHashMap<>();

    void add(Session session) {
        byUser.compute(session.user(), (user, sessions) -> {
            Set<Session> set = sessions == null ? ConcurrentHashMap.newKeySet() : sessions;
            set.add(session);
            return set;
        });
    }

    void remove(Session session) {
        byUser.computeIfPresent(session.user(), (user, sessions) -> {
            sessions.remove(session);
            return sessions.isEmpty() ? null : sessions;
        });
    }

    /** A snapshot of the user's sessions; empty when the user has none here. */
    List<Session> of(String user) {
        Set<Session> sessions = byUser.get(user);
        return sessions == null ? List.of() : List.copyOf(sessions);
    }
}
