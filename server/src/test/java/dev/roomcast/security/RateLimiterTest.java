package dev.roomcast.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.security.RateLimiter.Verdict;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private RateLimiter limiter(int perSecond, int burst, int closeAfter) {
        return new RateLimiter(perSecond, burst, closeAfter, now::get);
    }

    private void advanceMillis(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void aQuietClientMaySendAWholeBurstAtOnce() {
        RateLimiter limiter = limiter(20, 40, 40);
        for (int i = 0; i < 40; i++) {
            assertThat(limiter.tryAcquire()).as("message %d", i).isEqualTo(Verdict.ACCEPT);
        }
        assertThat(limiter.tryAcquire()).isEqualTo(Verdict.DROP);
    }

    @Test
    void tokensComeBackAtTheConfiguredRate() {
        RateLimiter limiter = limiter(20, 40, 1000);
        for (int i = 0; i < 40; i++) {
            limiter.tryAcquire();
        }
        assertThat(limiter.tryAcquire()).isEqualTo(Verdict.DROP);
        advanceMillis(50); // one token at 20/s
        assertThat(limiter.tryAcquire()).isEqualTo(Verdict.ACCEPT);
        assertThat(limiter.tryAcquire()).isEqualTo(Verdict.DROP);
        advanceMillis(500);
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.tryAcquire()).isEqualTo(Verdict.ACCEPT);
        }
        assertThat(limiter.tryAcquire()).isEqualTo(Verdict.DROP);
    }

    @Test
    void aSteadySenderAtTheRateIsNeverRefused() {
        RateLimiter limiter = limiter(20, 40, 40);
        for (int i = 0; i < 10_000; i++) {
            assertThat(limiter.tryAcquire()).isEqualTo(Verdict.ACCEPT);
            advanceMillis(50);
        }
    }

    @Test
    void sustainedFloodingIsToldApartFromABurst() {
        RateLimiter limiter = limiter(20, 40, 5);
        for (int i = 0; i < 40; i++) {
            limiter.tryAcquire();
        }
        for (int strike = 1; strike < 5; strike++) {
            assertThat(limiter.tryAcquire()).isEqualTo(Verdict.DROP);
        }
        assertThat(limiter.tryAcquire()).isEqualTo(Verdict.FLOODING);
    }

    @Test
    void aPauseLongEnoughToRefillTheBurstForgivesEarlierStrikes() {
        RateLimiter limiter = limiter(20, 40, 5);
        for (int i = 0; i < 44; i++) {
            limiter.tryAcquire();
        }
        advanceMillis(2_000); // 40 tokens at 20/s: full again
        for (int i = 0; i < 40; i++) {
            assertThat(limiter.tryAcquire()).isEqualTo(Verdict.ACCEPT);
        }
        for (int strike = 1; strike < 5; strike++) {
            assertThat(limiter.tryAcquire()).isEqualTo(Verdict.DROP);
        }
    }

    @Test
    void aClientJustOverTheRateIsClosedOnceItsStrikesAddUp() {
        RateLimiter limiter = limiter(20, 40, 40);
        Verdict last = Verdict.ACCEPT;
        int sent = 0;
        // 25 messages a second against a limit of 20: the bucket never refills, so strikes add up.
        while (last != Verdict.FLOODING && sent < 10_000) {
            last = limiter.tryAcquire();
            sent++;
            advanceMillis(40);
        }
        assertThat(last).isEqualTo(Verdict.FLOODING);
        assertThat(sent).isBetween(200, 400);
    }
}
