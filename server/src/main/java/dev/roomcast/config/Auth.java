package dev.roomcast.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Who may connect, publish and administer: client tokens (JWT), the HTTP API key, the admin page's
 * password, and the browser origins allowed to open WebSockets.
 *
 * <p>Threading: immutable.
 */
public record Auth(
        @Setting(flag = "--jwt-secret", secret = true,
                help = "Require HS256 tokens signed with this secret (32 characters or more); prefer the environment"
                        + " variable, flags show in ps. Unset: no auth.")
        String jwtSecret,
        @Setting(flag = "--jwt-public-key",
                help = "Require RS256 or ES256 tokens, verified with this PEM public key file. Unset: no auth.")
        Path jwtPublicKey,
        @Setting(flag = "--api-key", secret = true,
                help = "Bearer key of the HTTP API under /v1/rooms; unset disables HTTP publishing.")
        String apiKey,
        @Setting(flag = "--admin-password", secret = true,
                help = "Password of the admin page /admin and of GET /v1/stats (HTTP Basic, any user name), besides the"
                        + " API key; without either the page is refused. Prefer the environment variable, flags show in ps.")
        String adminPassword,
        @Setting(flag = "--allowed-origins",
                help = "Comma-separated browser origins that may open WebSockets besides the server's own host, e.g."
                        + " https://app.example.com; '*' allows all. Unset: localhost, 127.0.0.1 and [::1] on any port.")
        List<String> allowedOrigins) {

    /** The shortest HS256 secret accepted: 256 bits. */
    private static final int MIN_SECRET_CHARS = 32;

    public Auth {
        if (jwtSecret != null && jwtPublicKey != null) {
            throw new InvalidSetting("--jwt-secret", "give either --jwt-secret or --jwt-public-key, not both");
        }
        if (jwtSecret != null && jwtSecret.length() < MIN_SECRET_CHARS) {
            throw new InvalidSetting("--jwt-secret",
                    "must be at least " + MIN_SECRET_CHARS + " characters (256 bits for HS256)");
        }
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    }

    /** Whether clients must present a token. */
    public boolean enabled() {
        return jwtSecret != null || jwtPublicKey != null;
    }
}
