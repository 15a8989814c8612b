package dev.roomcast.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/** Signs JWTs the way an application backend would, for tests of token authentication. */
public final class Tokens {

    /** The HS256 secret test servers are started with. */
    public static final String SECRET = "test-secret-that-is-long-enough-for-hs256!";

    private Tokens() {
    }

    /** An HS256 token for {@code user} valid for {@code lifetime}, allowing {@code rooms} (null: no claim). */
    public static String hs256(String user, Duration lifetime, List<String> rooms) {
        return sign(user, lifetime, rooms, Algorithm.HMAC256(SECRET));
    }

    /** A token signed with {@code algorithm}. */
    public static String sign(String user, Duration lifetime, List<String> rooms, Algorithm algorithm) {
        JWTCreator.Builder token = JWT.create()
                .withSubject(user)
                .withClaim("name", user + " (display)")
                .withExpiresAt(Instant.now().plus(lifetime));
        if (rooms != null) {
            token.withClaim("rooms", rooms);
        }
        return token.sign(algorithm);
    }

    /**
     * A token with exactly the claims of {@code payloadJson}, HS256-signed with {@link #SECRET}, or
     * unsigned ({@code "alg":"none"}) when {@code signed} is false: for claims no JWT library would write.
     */
    public static String raw(String payloadJson, boolean signed) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String header = signed ? "{\"alg\":\"HS256\",\"typ\":\"JWT\"}" : "{\"alg\":\"none\"}";
        String content = base64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + base64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
        if (!signed) {
            return content + ".";
        }
        byte[] signature = Algorithm.HMAC256(SECRET).sign(content.getBytes(StandardCharsets.US_ASCII));
        return content + "." + base64.encodeToString(signature);
    }

    /** Writes {@code key} as a PEM public key file and returns its path. */
    public static Path writePem(PublicKey key, Path dir) {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        try {
            return Files.writeString(dir.resolve("jwt-public.pem"), pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
