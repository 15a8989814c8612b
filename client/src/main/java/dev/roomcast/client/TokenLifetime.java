package dev.roomcast.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Reads when a JWT expires, from its unverified {@code exp} claim: the client only schedules its
 * refresh with it; the server is the one that verifies tokens.
 *
 * <p>Threading: stateless.
 */
final class TokenLifetime {

    private TokenLifetime() {
    }

    /** The token's {@code exp}, or empty when it is not a JWT or has none. */
    static Optional<Instant> expiry(String token, ObjectMapper json) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            JsonNode claims = json.readTree(Base64.getUrlDecoder().decode(parts[1]));
            JsonNode exp = claims.get("exp");
            return exp != null && exp.canConvertToLong() ? Optional.of(Instant.ofEpochSecond(exp.asLong())) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
