package dev.roomcast.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoomPermissionsTest {

    @Test
    void globsMatchWholeNames() {
        RoomPermissions p = RoomPermissions.matching(List.of("support-*", "lobby", "*-public"));
        assertThat(p.allows("support-42")).isTrue();
        assertThat(p.allows("lobby")).isTrue();
        assertThat(p.allows("news-public")).isTrue();
        assertThat(p.allows("lobby2")).isFalse();
        assertThat(p.allows("my-support-1")).isFalse();
    }

    @Test
    void regexCharactersInPatternsAreLiteral() {
        RoomPermissions p = RoomPermissions.matching(List.of("a.b"));
        assertThat(p.allows("a.b")).isTrue();
        assertThat(p.allows("axb")).isFalse();
    }

    @Test
    void anyAllowsEverythingAndAnEmptyListNothing() {
        assertThat(RoomPermissions.any().allows("whatever")).isTrue();
        assertThat(RoomPermissions.matching(List.of()).allows("lobby")).isFalse();
    }
}
