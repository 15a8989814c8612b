package dev.roomcast.hooks;

import java.util.Map;

/**
 * A WebSocket upgrade the connect hook is asked about: the client's address, the path and raw query string,
 * and the request's headers by lower-case name (the hook is sent Cookie, Authorization and those of
 * {@code --hook-headers} only). Immutable.
 */
public record ConnectCall(String address, String path, String query, Map<String, String> headers) {

    public ConnectCall {
        headers = Map.copyOf(headers);
    }
}
