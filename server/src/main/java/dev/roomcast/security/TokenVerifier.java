package dev.roomcast.security;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.DateTimeException;
import java.util.Base64;
import java.util.List;

/**
 * Checks client tokens (JWT) and turns them into {@link Principal}s. Signed with HS256 and a
 * shared secret, or RS256 / ES256 with a key pair whose public half is given as a PEM file.
 * Thread-safe.
 *
 * <p>Claims: {@code sub} (required) is the user; {@code name} the display name (defaults to
 * {@code sub}); {@code exp} (required) the expiry; {@code rooms} a list of room glob patterns the
 * user may join. A token without {@code rooms} may join every room; {@code "rooms": []} and
 * {@code "rooms": null} none. {@code publish}, patterns in the same form, narrows where the user may
 * publish (among the rooms it joined, and as the room's namespace allows); a token without it may
 * publish wherever it may join, {@code "publish": []} or {@code null} nowhere.
 */
public final class TokenVerifier {

    /** The outcome of checking one token: a principal, or a one-line reason to answer 401 with. */
    public sealed interface Result {
    }

    /** The token is good. */
    public record Valid(Principal principal) implements Result {
    }

    /** The token is missing or not acceptable; {@code reason} is safe to show the client. */
    public record Refused(String reason) implements Result {
    }

    private final JWTVerifier verifier;

    private TokenVerifier(Algorithm algorithm, Clock clock) {
        this.verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm)
                .withClaimPresence("sub")
                .withClaimPresence("exp"))
                .build(clock);
    }

    /** A verifier for HS256 tokens signed with {@code secret}. */
    public static TokenVerifier hs256(String secret, Clock clock) {
        return new TokenVerifier(Algorithm.HMAC256(secret), clock);
    }

    /**
     * A verifier for tokens signed with the private half of the PEM public key in {@code pemFile}:
     * RS256 for an RSA key, ES256 for an EC P-256 key.
     *
     * @throws IllegalArgumentException when the file is not a readable RSA or EC public key
     */
    public static TokenVerifier publicKey(Path pemFile, Clock clock) {
        PublicKey key = readPublicKey(pemFile);
        if (key instanceof RSAPublicKey rsa) {
            return new TokenVerifier(Algorithm.RSA256(rsa, null), clock);
        }
        return new TokenVerifier(Algorithm.ECDSA256((ECPublicKey) key, null), clock);
    }

    /** Checks a token; {@code token} is null when the client sent none. */
    public Result verify(String token) {
        if (token == null || token.isBlank()) {
            return new Refused("missing token: send ?token= or Authorization: Bearer");
        }
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token.trim());
        } catch (TokenExpiredException e) {
            return new Refused("token expired");
        } catch (SignatureVerificationException | AlgorithmMismatchException e) {
            return new Refused("token signature is not valid");
        } catch (MissingClaimException e) {
            return new Refused("token lacks the " + e.getClaimName() + " claim");
        } catch (JWTDecodeException e) {
            return new Refused("token is not a well-formed JWT");
        } catch (JWTVerificationException e) {
            return new Refused("token is not valid");
        } catch (DateTimeException | ArithmeticException e) {
            return new Refused("token's exp, iat or nbf is not a valid time");
        }
        String user = jwt.getClaim("sub").asString();
        if (user == null || user.isBlank()) {
            return new Refused("token's sub claim must be a non-empty string");
        }
        RoomPermissions permissions = roomPatterns(jwt.getClaim("rooms"));
        RoomPermissions publishes = roomPatterns(jwt.getClaim("publish"));
        if (permissions == null || publishes == null) {
            return new Refused("token's " + (permissions == null ? "rooms" : "publish") + " claim must be a list of room patterns");
        }
        String name = jwt.getClaim("name").asString();
        return new Valid(new Principal(user, name == null || name.isBlank() ? user : name, permissions, publishes,
                jwt.getExpiresAtAsInstant()));
    }

    /**
     * The rooms a claim of room patterns allows: every room when it is absent, none when it is null (safer than
     * every room for a backend that wrote null by mistake); null when it is not a list of strings.
     */
    private static RoomPermissions roomPatterns(Claim claim) {
        if (claim.isMissing()) {
            return RoomPermissions.any();
        }
        if (claim.isNull()) {
            return RoomPermissions.matching(List.of());
        }
        try {
            List<String> patterns = claim.asList(String.class);
            return patterns == null ? null : RoomPermissions.matching(patterns);
        } catch (JWTDecodeException e) {
            return null;
        }
    }

    private static PublicKey readPublicKey(Path pemFile) {
        String pem;
        try {
            pem = Files.readString(pemFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read JWT public key " + pemFile + ": " + e.getMessage(), e);
        }
        if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
            throw new IllegalArgumentException(pemFile + " is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        X509EncodedKeySpec spec;
        try {
            spec = new X509EncodedKeySpec(Base64.getDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(pemFile + " is not valid PEM: " + e.getMessage(), e);
        }
        for (String type : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(type).generatePublic(spec);
            } catch (GeneralSecurityException notThisType) {
                // try the next key type
            }
        }
        throw new IllegalArgumentException(pemFile + " holds neither an RSA nor an EC public key");
    }
}
