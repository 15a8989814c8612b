package dev.roomcast.bench;

/**
 * CPU used by the server (when its pid is known) and by this bench over one span, so a
 * saturated load generator shows next to every figure. Not thread-safe; used by the driver.
 */
final class CpuMeter {

    /** CPU seconds used over a span of {@code wallSeconds}; {@code serverSeconds} is NaN when unknown. */
    record Usage(double wallSeconds, double serverSeconds, double benchSeconds) {

        /**
         * Puts the CPU seconds and the percentage of one core into {@code result}, and the server's
         * CPU microseconds per unit of {@code work} when work is positive.
         */
        void putInto(BenchResult result, long work, String workName) {
            if (!Double.isNaN(serverSeconds)) {
                result.put("server_cpu_s", serverSeconds).put("server_cpu_pct", 100 * serverSeconds / wallSeconds);
                if (work > 0) {
                    result.put("server_cpu_us_per_" + workName, serverSeconds * 1e6 / work);
                }
            }
            result.put("bench_cpu_s", benchSeconds).put("bench_cpu_pct", 100 * benchSeconds / wallSeconds);
        }
    }

    private final ProcessProbe server;
    private final double benchStart;
    private final double serverStart;
    private final long startNanos;

    private CpuMeter(ProcessProbe server) {
        this.server = server;
        this.startNanos = System.nanoTime();
        this.benchStart = ProcessProbe.ownCpuSeconds();
        this.serverStart = server == null ? 0 : server.cpuSeconds();
    }

    /** Starts measuring now. {@code server} may be null. */
    static CpuMeter start(ProcessProbe server) {
        return new CpuMeter(server);
    }

    /** What was used since the start. */
    Usage stop() {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        double bench = ProcessProbe.ownCpuSeconds() - benchStart;
        double used = server == null ? Double.NaN : server.cpuSeconds() - serverStart;
        return new Usage(wall, used, bench);
    }
}
