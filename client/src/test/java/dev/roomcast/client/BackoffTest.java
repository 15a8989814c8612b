package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Full jitter: the delay spans [0, ceiling], and the ceiling doubles per attempt up to the maximum. */
class BackoffTest {

    private static Backoff drawing(double random) {
        return new Backoff(Duration.ofMillis(250), Duration.ofSeconds(10), () -> random);
    }

    @Test
    void theCeilingDoublesPerAttemptUpToTheMaximum() {
        Backoff top = drawing(1.0);
        assertThat(top.delay(0)).isEqualTo(Duration.ofMillis(250));
        assertThat(top.delay(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(top.delay(3)).isEqualTo(Duration.ofMillis(2000));
        assertThat(top.delay(6)).isEqualTo(Duration.ofSeconds(10));
        assertThat(top.delay(1000)).as("no overflow after many attempts").isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theJitterIsFullFromZeroToTheCeiling() {
        assertThat(drawing(0.0).delay(5)).isEqualTo(Duration.ZERO);
        assertThat(drawing(0.5).delay(2)).isEqualTo(Duration.ofMillis(500));
    }
}
