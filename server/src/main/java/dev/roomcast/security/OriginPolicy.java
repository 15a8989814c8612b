package dev.roomcast.security;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open a WebSocket (cross-site WebSocket hijacking guard). A request
 * without an {@code Origin} header comes from a non-browser client and is allowed; the page's own
 * host (the request's {@code Host}) is always allowed. Without a configured list, pages on
 * localhost, 127.0.0.1 or [::1] (any port) are allowed too; with one, exactly the listed origins
 * are, and {@code *} allows every origin. Immutable.
 */
public final class OriginPolicy {

    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");

    private final boolean anyOrigin;
    private final boolean loopbackByDefault;
    private final Set<String> listed;

    /** @param allowed the configured origins ({@code https://chat.example.com}), or empty for the default */
    public OriginPolicy(List<String> allowed) {
        this.anyOrigin = allowed.contains("*");
        this.loopbackByDefault = allowed.isEmpty();
        this.listed = allowed.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Whether a request with this {@code Origin} header (null when absent) and this {@code Host}
     * header may upgrade.
     */
    public boolean allows(String origin, String host) {
        if (origin == null || anyOrigin) {
            return true;
        }
        URI uri;
        try {
            uri = new URI(origin.trim());
        } catch (Exception e) {
            return false;
        }
        String originHost = uri.getHost();
        if (originHost == null) {
            return false; // "null" (sandboxed pages, file://) and other opaque origins
        }
        String authority = uri.getRawAuthority().toLowerCase(Locale.ROOT);
        if (host != null && authority.equals(host.trim().toLowerCase(Locale.ROOT))) {
            return true;
        }
        if (loopbackByDefault) {
            return LOOPBACK.contains(originHost.toLowerCase(Locale.ROOT));
        }
        return listed.contains(normalize(origin));
    }

    private static String normalize(String origin) {
        String trimmed = origin.trim().toLowerCase(Locale.ROOT);
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}
