package dev.roomcast.security;

import java.util.function.LongSupplier;

/**
 * A token bucket for the messages of one connection: {@code perSecond} tokens a second, at most
 * {@code burst} saved up. Confined to the connection's event loop; allocation-free.
 *
 * <p>It also tells a client that floods from one that bursts: every message refused before the
 * bucket has refilled to full again counts as a strike, and after {@code closeAfter} strikes the
 * verdict is {@link Verdict#FLOODING}. A client that pauses long enough for the bucket to refill
 * ({@code burst / perSecond} seconds, 2 s with the defaults) starts with a clean slate.
 */
public final class RateLimiter {

    /** What to do with one message. */
    public enum Verdict {
        /** Within the limit: handle it. */
        ACCEPT,
        /** Over the limit: drop it (JSON clients are told {@code rate_limited}). */
        DROP,
        /** Over the limit and flooding: drop it; text clients are closed with 1008. */
        FLOODING
    }

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double tokensPerNano;
    private final double burst;
    private final int closeAfter;
    private final LongSupplier nanoClock;
    private double tokens;
    private long lastRefill;
    private int strikes;

    /**
     * @param nanoClock a monotonic clock in nanoseconds, {@code System::nanoTime} outside tests
     */
    public RateLimiter(int perSecond, int burst, int closeAfter, LongSupplier nanoClock) {
        this.tokensPerNano = (double) perSecond / NANOS_PER_SECOND;
        this.burst = burst;
        this.closeAfter = closeAfter;
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.lastRefill = nanoClock.getAsLong();
    }

    /** Takes a token for one message if there is one. */
    public Verdict tryAcquire() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - lastRefill) * tokensPerNano);
        lastRefill = now;
        if (tokens >= burst) {
            strikes = 0;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ACCEPT;
        }
        strikes++;
        return strikes >= closeAfter ? Verdict.FLOODING : Verdict.DROP;
    }
}
