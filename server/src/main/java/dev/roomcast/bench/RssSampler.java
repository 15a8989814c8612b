package dev.roomcast.bench;

/**
 * Samples the server's resident memory every 100 ms on a daemon thread and keeps the highest, so
 * a run shows how far memory grew under load, not only where it ended. Thread-safe: one
 * volatile maximum written by the sampler.
 */
final class RssSampler implements AutoCloseable {

    private static final long PERIOD_MILLIS = 100;

    private final ProcessProbe server;
    private final long before;
    private final Thread thread;
    private volatile long peak;
    private volatile boolean running = true;

    private RssSampler(ProcessProbe server) {
        this.server = server;
        this.before = server.rssBytes();
        this.peak = before;
        this.thread = new Thread(this::sample, "bench-rss-sampler");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Starts sampling {@code server}; null when the server's pid is unknown. */
    static RssSampler start(ProcessProbe server) {
        return server == null ? null : new RssSampler(server);
    }

    private void sample() {
        while (running) {
            try {
                peak = Math.max(peak, server.rssBytes());
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (IllegalStateException serverGone) {
                return;
            }
        }
    }

    /** Stops sampling and puts the RSS before, at its peak and the growth into {@code result}. */
    void putInto(BenchResult result) {
        close();
        result.put("server_rss_before_mib", before / 1048576.0)
                .put("server_rss_peak_mib", peak / 1048576.0)
                .put("server_rss_growth_mib", (peak - before) / 1048576.0);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
