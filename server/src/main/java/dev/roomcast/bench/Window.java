package dev.roomcast.bench;

/**
 * The measured span of a run on the {@link System#nanoTime()} clock: it opens after the warm-up
 * and closes after the duration. Thread-safe: two volatile bounds, set by the driving thread.
 */
final class Window {

    private volatile long startNanos = Long.MAX_VALUE;
    private volatile long endNanos = Long.MAX_VALUE;

    void open(long nowNanos) {
        startNanos = nowNanos;
    }

    void close(long nowNanos) {
        endNanos = nowNanos;
    }

    boolean contains(long nanos) {
        return nanos >= startNanos && nanos < endNanos;
    }

    boolean closed() {
        return endNanos != Long.MAX_VALUE;
    }

    double seconds() {
        return (endNanos - startNanos) / 1e9;
    }
}
