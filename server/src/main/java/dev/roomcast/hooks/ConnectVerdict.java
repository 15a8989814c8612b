package dev.roomcast.hooks;

import java.util.List;

/** The connect hook's answer, as the server acts on it. Immutable. */
public sealed interface ConnectVerdict {

    /**
     * Upgrade, for {@code user} shown as {@code name}, who may join the rooms matching {@code rooms} and publish
     * beyond its namespaces' rules where {@code publish} matches (the same globs as a token's claims).
     */
    record Allowed(String user, String name, List<String> rooms, List<String> publish) implements ConnectVerdict {
    }

    /** Answer the upgrade with this 4xx status and one-line reason. */
    record Refused(int status, String reason) implements ConnectVerdict {
    }

    /** The backend did not give a usable answer: fail closed (503). */
    record Unavailable(String reason) implements ConnectVerdict {
    }
}
