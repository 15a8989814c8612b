package dev.roomcast.server.api;

import dev.roomcast.config.RoomcastConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Who is an administrator: a request with the API key as a bearer token, or HTTP Basic
 * credentials whose password is {@code --admin-password} or the API key (the user name is not
 * checked), which is what a browser sends after the admin page's login prompt. Comparisons take
 * constant time.
 *
 * <p>Threading: immutable.
 */
public final class AdminAccess {

    private final byte[] apiKey;
    private final byte[] password;

    public AdminAccess(RoomcastConfig config) {
        this.apiKey = bytesOrNull(config.auth().apiKey());
        this.password = bytesOrNull(config.auth().adminPassword());
    }

    /** Whether anyone can be an administrator: a password or an API key is configured. */
    public boolean enabled() {
        return apiKey != null || password != null;
    }

    /** Whether the request carries an administrator's credentials. */
    public boolean admits(HttpRequest request) {
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return matches(authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8), apiKey);
        }
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String userAndPassword;
        try {
            userAndPassword = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        int colon = userAndPassword.indexOf(':');
        byte[] presented = userAndPassword.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        return colon >= 0 && (matches(presented, password) | matches(presented, apiKey));
    }

    private static boolean matches(byte[] presented, byte[] secret) {
        return secret != null && MessageDigest.isEqual(presented, secret);
    }

    private static byte[] bytesOrNull(String secret) {
        return secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    }
}
