package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The refresh schedule reads {@code exp} from a JWT's payload, and nothing from anything else. */
class TokenLifetimeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String jwt(String claims) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        return base64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".signature";
    }

    @Test
    void readsExpFromTheUnverifiedPayload() {
        assertThat(TokenLifetime.expiry(jwt("{\"sub\":\"ann\",\"exp\":1764150000}"), JSON))
                .contains(Instant.ofEpochSecond(1764150000));
    }

    @Test
    void anythingElseHasNoKnownExpiry() {
        assertThat(TokenLifetime.expiry(jwt("{\"sub\":\"ann\"}"), JSON)).isEmpty();
        assertThat(TokenLifetime.expiry("opaque-api-token", JSON)).isEmpty();
        assertThat(TokenLifetime.expiry("a.!!!.c", JSON)).isEmpty();
        assertThat(TokenLifetime.expiry(jwt("not json"), JSON)).isEmpty();
    }
}
