package dev.roomcast.protocol;

import java.util.Locale;

/**
 * The rules for a user name an anonymous client chooses with {@code ?name=}: those of room names
 * ({@link RoomNames#refusal}) without the path rules, and none of the names the server gives out
 * itself: {@value #API_USER} (the sender of HTTP API messages), names starting with {@code $}, and
 * the {@value #GUEST_PREFIX} prefix of generated names.
 *
 * <p>Threading: stateless; thread-safe.
 */
public final class UserNames {

    /** Who HTTP API messages are {@code from}. */
    public static final String API_USER = "api";
    /** The prefix of the names the server generates for clients that choose none. */
    public static final String GUEST_PREFIX = "guest-";

    private UserNames() {
    }

    /**
     * Checks a percent-encoded path segment as the name of a user to address: the shared rules of names,
     * none of the reserved ones refused, since generated guest names are users like any other.
     */
    public static RoomNames.Checked fromPathSegment(String encoded) {
        String decoded;
        try {
            decoded = RoomNames.percentDecode(encoded);
        } catch (IllegalArgumentException e) {
            return new RoomNames.Checked(null, "user name is not valid percent-encoded UTF-8");
        }
        String refusal = RoomNames.refusal(decoded, "user name");
        return refusal == null ? new RoomNames.Checked(decoded, null) : new RoomNames.Checked(null, refusal);
    }

    /** Null when a client may call itself {@code name}, else the one-line reason it may not. */
    public static String refusal(String name) {
        String refusal = RoomNames.refusal(name, "name");
        if (refusal != null) {
            return refusal;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals(API_USER) || name.startsWith("$") || lower.startsWith(GUEST_PREFIX)) {
            return "name " + name + " is reserved for the server (" + API_USER + ", $..., " + GUEST_PREFIX + "...)";
        }
        return null;
    }
}
