package dev.roomcast.metrics;

/** Why a WebSocket upgrade was refused before the handshake; the {@code reason} tag of the rejection counter. */
public enum UpgradeRejection {
    /** 403: the browser page's origin is not allowed. */
    ORIGIN,
    /** 401: no token, or a bad or expired one. */
    UNAUTHORIZED,
    /** 400: the name an anonymous client chose breaks the name rules or is reserved. */
    INVALID_NAME,
    /** 403: the token does not allow the room. */
    FORBIDDEN,
    /** 429: the client address holds the most connections it may. */
    PER_IP_LIMIT,
    /** 503: the node holds the most connections it may. */
    CAPACITY,
    /** 503: the node is draining. */
    DRAINING,
    /** 4xx: the application backend's connect hook refused it. */
    HOOK_REFUSED,
    /** 503: the connect hook did not answer in time or usably (fail closed). */
    HOOK_UNAVAILABLE;

    /** The tag value: lower case. */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
