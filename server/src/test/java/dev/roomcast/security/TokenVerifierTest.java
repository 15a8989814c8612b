package dev.roomcast.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.roomcast.testing.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenVerifierTest {

    private final TokenVerifier hs256 = TokenVerifier.hs256(Tokens.SECRET, Clock.systemUTC());

    @TempDir
    Path dir;

    private static Principal valid(TokenVerifier.Result result) {
        assertThat(result).isInstanceOf(TokenVerifier.Valid.class);
        return ((TokenVerifier.Valid) result).principal();
    }

    private static String refusal(TokenVerifier.Result result) {
        assertThat(result).isInstanceOf(TokenVerifier.Refused.class);
        return ((TokenVerifier.Refused) result).reason();
    }

    @Test
    void claimsBecomeThePrincipal() {
        Principal p = valid(hs256.verify(Tokens.hs256("u-17", Duration.ofMinutes(5), List.of("support-*"))));
        assertThat(p.user()).isEqualTo("u-17");
        assertThat(p.displayName()).isEqualTo("u-17 (display)");
        assertThat(p.expiresAt()).isBetween(Instant.now().plusSeconds(200), Instant.now().plusSeconds(301));
        assertThat(p.rooms().allows("support-42")).isTrue();
        assertThat(p.rooms().allows("sales")).isFalse();
    }

    @Test
    void withoutARoomsClaimEveryRoomIsAllowedAndAnEmptyListAllowsNone() {
        assertThat(valid(hs256.verify(Tokens.hs256("u", Duration.ofMinutes(1), null))).rooms().allows("any")).isTrue();
        assertThat(valid(hs256.verify(Tokens.hs256("u", Duration.ofMinutes(1), List.of()))).rooms().allows("any")).isFalse();
    }

    @Test
    void missingExpiredForgedAndMalformedTokensAreRefusedWithAReason() {
        assertThat(refusal(hs256.verify(null))).startsWith("missing token");
        assertThat(refusal(hs256.verify(Tokens.hs256("u", Duration.ofMinutes(-1), null)))).isEqualTo("token expired");
        String forged = Tokens.sign("u", Duration.ofMinutes(1), null,
                Algorithm.HMAC256("another-secret-that-is-long-enough-too!!"));
        assertThat(refusal(hs256.verify(forged))).isEqualTo("token signature is not valid");
        assertThat(refusal(hs256.verify("not.a.jwt"))).isEqualTo("token is not a well-formed JWT");
        String noExpiry = JWT.create().withSubject("u").sign(Algorithm.HMAC256(Tokens.SECRET));
        assertThat(refusal(hs256.verify(noExpiry))).isEqualTo("token lacks the exp claim");
        String badRooms = JWT.create().withSubject("u").withClaim("rooms", "lobby")
                .withExpiresAt(Instant.now().plusSeconds(60)).sign(Algorithm.HMAC256(Tokens.SECRET));
        assertThat(refusal(hs256.verify(badRooms))).contains("rooms claim");
    }

    @Test
    void unsignedTokensAreRefused() {
        String none = JWT.create().withSubject("u").withExpiresAt(Instant.now().plusSeconds(60)).sign(Algorithm.none());
        assertThat(refusal(hs256.verify(none))).isEqualTo("token signature is not valid");
    }

    @Test
    void rs256TokensAreCheckedWithThePemPublicKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        TokenVerifier rs256 = TokenVerifier.publicKey(Tokens.writePem(pair.getPublic(), dir), Clock.systemUTC());
        Algorithm signing = Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate());
        assertThat(valid(rs256.verify(Tokens.sign("rsa-user", Duration.ofMinutes(1), null, signing))).user())
                .isEqualTo("rsa-user");
        assertThat(refusal(rs256.verify(Tokens.hs256("u", Duration.ofMinutes(1), null))))
                .isEqualTo("token signature is not valid");
    }

    @Test
    void es256TokensAreCheckedWithThePemPublicKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        TokenVerifier es256 = TokenVerifier.publicKey(Tokens.writePem(pair.getPublic(), dir), Clock.systemUTC());
        Algorithm signing = Algorithm.ECDSA256((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate());
        assertThat(valid(es256.verify(Tokens.sign("ec-user", Duration.ofMinutes(1), null, signing))).user())
                .isEqualTo("ec-user");
    }

    @Test
    void aFileThatIsNoPublicKeyIsRefusedAtStartup() throws Exception {
        Path notAKey = Files.writeString(dir.resolve("key.pem"), "hello");
        assertThatThrownBy(() -> TokenVerifier.publicKey(notAKey, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a PEM public key");
    }

    @Test
    void dateClaimsOutOfRangeAreRefusedWithAReasonSignedOrNot() {
        long future = Instant.now().plusSeconds(300).getEpochSecond();
        for (String dates : List.of("\"exp\":4611686018427387904", "\"exp\":-4611686018427387904",
                "\"exp\":" + future + ",\"iat\":4611686018427387904",
                "\"exp\":" + future + ",\"nbf\":-4611686018427387904",
                "\"exp\":" + future + ",\"iat\":1e300", "\"exp\":\"soon\"")) {
            for (boolean signed : new boolean[] {true, false}) {
                String token = Tokens.raw("{\"sub\":\"u\"," + dates + "}", signed);
                assertThat(refusal(hs256.verify(token))).as(dates + (signed ? " signed" : " unsigned"))
                        .doesNotContain("\n").isNotBlank();
            }
        }
    }

    @Test
    void aSubjectThatIsNullEmptyOrNotAStringIsRefused() {
        long exp = Instant.now().plusSeconds(300).getEpochSecond();
        for (String sub : List.of("null", "\"\"", "\"  \"", "42", "[\"u\"]", "{\"id\":\"u\"}", "true")) {
            String token = Tokens.raw("{\"sub\":" + sub + ",\"exp\":" + exp + "}", true);
            assertThat(refusal(hs256.verify(token))).as("sub " + sub).contains("sub");
        }
    }

    @Test
    void aNullRoomsClaimAllowsNoRoom() {
        long exp = Instant.now().plusSeconds(300).getEpochSecond();
        String token = Tokens.raw("{\"sub\":\"u\",\"exp\":" + exp + ",\"rooms\":null}", true);
        assertThat(valid(hs256.verify(token)).rooms().allows("lobby")).isFalse();
    }
}
