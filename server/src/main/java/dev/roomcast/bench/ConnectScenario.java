package dev.roomcast.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code connect}: opens N idle connections across R rooms, measures how fast they open and,
 * given the server's pid, its resident memory per connection, then holds them for the
 * duration. Beyond one process's sockets, {@link ClientProcesses} spreads them over children;
 * such a child says {@code ready} once warmed up and starts connecting when its parent writes
 * {@code go}, so the children's connections overlap. Runs on the driver thread.
 */
final class ConnectScenario {

    /** Time for the server to finish the last joins and for its RSS to settle before reading it. */
    static final Duration SETTLE = Duration.ofSeconds(2);

    /** The line a child prints when it is ready to connect, and the one its parent answers with. */
    static final String READY = "ready";
    static final String GO = "go";

    private ConnectScenario() {
    }

    static BenchResult run(BenchPlan plan, ClientPool pool, BenchResult result, PrintWriter out) throws Exception {
        if (plan.child()) {
            out.println(READY);
            out.flush();
            awaitLine(System.in);
        }
        ProcessProbe server = ProcessProbe.ofServer(plan.serverPid());
        long rssBefore = server == null ? -1 : server.rssBytes();
        CpuMeter cpu = CpuMeter.start(server);
        BenchClient.Listener ignore = (client, sentNanos, now) -> { };
        ClientPool.Opened opened = pool.open(plan, plan.clients(), i ->
                new BenchClient(i, "conn-" + plan.runId() + "-" + (i % plan.rooms()), plan.protocol(), false, ignore,
                        pool.lostCounter())).get(30, TimeUnit.MINUTES);
        CpuMeter.Usage usage = cpu.stop();
        int connected = opened.clients().size();
        double seconds = opened.elapsedNanos() / 1e9;
        if (plan.child()) {
            out.println(new BenchResult().put("connected", connected).put("failed", opened.failed())
                    .put("first_failure", String.valueOf(opened.firstFailure()))
                    .put("connect_s", seconds).put("cpu_s", usage.benchSeconds()).toJson());
            out.flush();
            holdUntilClosed(System.in);
            return null;
        }
        result.put("connections", connected)
                .put("failed", opened.failed())
                .put("connect_s", seconds)
                .put("connections_per_s", connected / seconds);
        if (opened.firstFailure() != null) {
            result.put("first_failure", opened.firstFailure());
        }
        usage.putInto(result, connected, "connection");
        if (server != null) {
            Traffic.sleep(SETTLE);
            putMemory(result, rssBefore, server.rssBytes(), connected);
        }
        Traffic.sleep(plan.duration());
        result.put("held_s", plan.duration().toMillis() / 1000.0)
                .put("closed_by_server", pool.lost());
        return result;
    }

    /** The server's RSS before and after, and the growth per connection. */
    static void putMemory(BenchResult result, long rssBefore, long rssAfter, int connections) {
        result.put("server_rss_before_mib", rssBefore / 1048576.0)
                .put("server_rss_after_mib", rssAfter / 1048576.0)
                .put("server_rss_bytes_per_connection", connections == 0 ? 0 : (rssAfter - rssBefore) / connections);
    }

    /** Reads up to the end of the next line (or of the stream); what the line says does not matter. */
    private static void awaitLine(InputStream in) throws IOException {
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            // The parent's "go".
        }
    }

    private static void holdUntilClosed(InputStream in) throws IOException {
        byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
            // The parent only closes our stdin; anything it writes is ignored.
        }
    }
}
