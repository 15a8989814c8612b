package dev.roomcast.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The room-name rules of DESIGN.md section 1: decoding, length in code points, forbidden characters, reserved names. */
class RoomNamesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "lobby|lobby",
            "caf%C3%A9%20bar|café bar",
            "caf%c3%a9|café",
            "a+b|a+b",                       // '+' is a plus in a path, not a space
            "100%25|100%",
            "%F0%9F%98%80|😀",
            "%E2%82%AC-room|€-room"})
    void pathSegmentsArePercentDecodedAsUtf8(String segment, String name) {
        RoomNames.Checked checked = RoomNames.fromPathSegment(segment);
        assertThat(checked.ok()).as(checked.refusal()).isTrue();
        assertThat(checked.name()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"%", "a%", "a%4", "%zz", "%G0", "%E9", "caf%E9", "%C3", "%C0%AF", "%ED%A0%80", "%FF"})
    void malformedEscapesAndInvalidUtf8AreRefused(String segment) {
        RoomNames.Checked checked = RoomNames.fromPathSegment(segment);
        assertThat(checked.ok()).isFalse();
        assertThat(checked.name()).isNull();
        assertThat(checked.refusal()).isEqualTo("room name is not valid percent-encoded UTF-8");
    }

    @Test
    void lengthIsCountedInCodePointsFrom1To64() {
        assertThat(RoomNames.check("a", false).ok()).isTrue();
        assertThat(RoomNames.check("a".repeat(64), false).ok()).isTrue();
        // 64 code points but 128 UTF-16 chars: still allowed.
        assertThat(RoomNames.check("😀".repeat(64), false).ok()).isTrue();
        assertThat(RoomNames.check("a".repeat(65), false).refusal()).isEqualTo("room name is longer than 64 characters");
        assertThat(RoomNames.check("😀".repeat(65), false).ok()).isFalse();
        assertThat(RoomNames.check("", false).refusal()).isEqualTo("room name must not be empty");
        assertThat(RoomNames.check(null, false).ok()).isFalse();
        assertThat(RoomNames.fromPathSegment("").refusal()).isEqualTo("room name must not be empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "a\u0001", "\tx", "line\nbreak", "del\u007f", "c1\u0085"})
    void controlCharactersAreRefused(String name) {
        assertThat(RoomNames.check(name, false).refusal()).isEqualTo("room name must not contain control characters");
    }

    @Test
    void controlCharactersArrivingEncodedAreRefused() {
        assertThat(RoomNames.fromPathSegment("bad%01name").refusal()).isEqualTo("room name must not contain control characters");
        assertThat(RoomNames.fromPathSegment("%0A").ok()).isFalse();
    }

    @Test
    void unpairedSurrogatesAreRefused() {
        assertThat(RoomNames.check("a\uD800", false).refusal()).isEqualTo("room name must be valid Unicode");
        assertThat(RoomNames.check("\uDC00b", false).ok()).isFalse();
    }

    @Test
    void aSlashIsRefusedLiteralOrEncoded() {
        assertThat(RoomNames.check("a/b", false).refusal()).isEqualTo("room name must not contain '/'");
        assertThat(RoomNames.fromPathSegment("a/b").ok()).isFalse();
        assertThat(RoomNames.fromPathSegment("a%2Fb").ok()).isFalse();
        assertThat(RoomNames.fromPathSegment("a%2fb").ok()).isFalse();
    }

    @Test
    void dollarNamesAreReservedForTheServer() {
        assertThat(RoomNames.check("$global", false).refusal()).isEqualTo("room names starting with '$' are reserved");
        assertThat(RoomNames.fromPathSegment("%24global").ok()).isFalse();
        assertThat(RoomNames.check(SeedText.GLOBAL_ROOM, true).ok()).isTrue();
        assertThat(RoomNames.check("$other", true).ok()).isFalse();
        assertThat(RoomNames.check("a$b", false).ok()).isTrue();
    }

    @Test
    void everyRefusalIsOneLine() {
        for (String segment : new String[] {"", "%zz", "a".repeat(65), "%01", "a%2Fb", "%24x"}) {
            String refusal = RoomNames.fromPathSegment(segment).refusal();
            assertThat(refusal).isNotBlank().doesNotContain("\n");
        }
    }
}
