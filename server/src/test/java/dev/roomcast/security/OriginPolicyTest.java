package dev.roomcast.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    private final OriginPolicy defaults = new OriginPolicy(List.of());

    @Test
    void nonBrowserClientsWithoutAnOriginAreAllowed() {
        assertThat(defaults.allows(null, "chat.example.com")).isTrue();
    }

    @Test
    void thePagesOwnHostIsAllowedWhateverTheScheme() {
        assertThat(defaults.allows("https://chat.example.com", "chat.example.com")).isTrue();
        assertThat(defaults.allows("http://chat.example.com:8000", "chat.example.com:8000")).isTrue();
        assertThat(defaults.allows("http://CHAT.example.com:8000", "chat.EXAMPLE.com:8000")).isTrue();
    }

    @Test
    void anotherPortOfTheSameHostIsAnotherOrigin() {
        assertThat(defaults.allows("http://chat.example.com:9000", "chat.example.com:8000")).isFalse();
    }

    @Test
    void loopbackPagesAreAllowedByDefaultOnAnyPort() {
        assertThat(defaults.allows("http://localhost:3000", "chat.example.com")).isTrue();
        assertThat(defaults.allows("http://127.0.0.1:5173", "chat.example.com")).isTrue();
        assertThat(defaults.allows("http://[::1]:8080", "chat.example.com")).isTrue();
    }

    @Test
    void foreignAndOpaqueOriginsAreRefusedByDefault() {
        assertThat(defaults.allows("https://evil.example", "chat.example.com")).isFalse();
        assertThat(defaults.allows("null", "chat.example.com")).isFalse();
        assertThat(defaults.allows("http://localhost.evil.example", "chat.example.com")).isFalse();
        assertThat(defaults.allows("not a uri", "chat.example.com")).isFalse();
    }

    @Test
    void aConfiguredListReplacesLoopbackButKeepsTheOwnHost() {
        OriginPolicy listed = new OriginPolicy(List.of("https://app.example.com", "https://admin.example.com/"));
        assertThat(listed.allows("https://app.example.com", "chat.example.com")).isTrue();
        assertThat(listed.allows("https://ADMIN.example.com", "chat.example.com")).isTrue();
        assertThat(listed.allows("https://chat.example.com", "chat.example.com")).isTrue();
        assertThat(listed.allows("http://app.example.com", "chat.example.com")).isFalse();
        assertThat(listed.allows("http://localhost:3000", "chat.example.com")).isFalse();
    }

    @Test
    void aStarAllowsEveryOriginOnlyWhenGivenExplicitly() {
        OriginPolicy any = new OriginPolicy(List.of("*"));
        assertThat(any.allows("https://anything.example", "chat.example.com")).isTrue();
        assertThat(any.allows("null", "chat.example.com")).isTrue();
    }
}
