package dev.roomcast.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Makes the bench's own client code hot before a run: opens the plan's {@code clientWarmup}
 * connections to a {@link LoopbackServer} in a child process of this jar, with the plan's
 * protocol, pipeline and paths, exchanges a few messages on each in a closed loop, and closes it
 * all. A fresh JVM
 * runs its first thousands of handshakes and frames interpreted or barely compiled, at several
 * times the CPU of compiled code; without this, that cost lands in the measured window, where
 * the bench shares the cores with the server under test. The compiler works behind the code it
 * compiles, so the warm-up ends only once it has gone quiet. The server under test sees nothing.
 * Runs on the driver thread; the clients on the warm-up's own loops.
 */
final class ClientWarmup {

    /** Messages each warm-up connection sends and gets back. */
    static final int MESSAGES_PER_CLIENT = 10;
    /**
     * The warm-up's messages are at most this long: the receive path is the same code for any
     * size past 125 bytes, and copying large ones would only cost time.
     */
    private static final int MAX_PAYLOAD_BYTES = 1000;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The compiler counts as quiet once it has added no compilation time for this long. */
    private static final Duration COMPILER_QUIET = Duration.ofMillis(300);
    private static final Duration COMPILER_QUIET_TIMEOUT = Duration.ofSeconds(15);

    private ClientWarmup() {
    }

    /** Runs the warm-up of {@code plan} and puts its size and duration into {@code result}. */
    static void run(BenchPlan plan, BenchResult result) throws Exception {
        int count = plan.clientWarmup();
        if (count == 0) {
            return;
        }
        long start = System.nanoTime();
        int bytes = Math.min(plan.payloadBytes(), MAX_PAYLOAD_BYTES);
        Window window = new Window();
        window.open(start);
        LongAdder answered = new LongAdder();
        // Each element is touched only by its client's loop.
        int[] answers = new int[count];
        BenchClient.Listener next = (client, sentNanos, now) -> {
            client.stats().record(window, sentNanos, now);
            answered.increment();
            if (++answers[client.index()] < MESSAGES_PER_CLIENT) {
                client.sendNow(System.nanoTime(), bytes);
            }
        };
        Process server = startServer();
        try (ClientPool pool = new ClientPool(plan.threads())) {
            BenchPlan local = plan.against(URI.create("ws://127.0.0.1:" + serverPort(server)));
            ClientPool.Opened opened = pool.open(local, count, i ->
                    new BenchClient(i, "warmup-" + i, plan.protocol(), plan.echoPath(), next, () -> { }))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (opened.failed() > 0) {
                throw new IllegalStateException("client warm-up: " + opened.failed() + " of " + count
                        + " loopback connections failed, first: " + opened.firstFailure());
            }
            for (BenchClient client : opened.clients()) {
                client.channel().eventLoop().execute(() -> client.sendNow(System.nanoTime(), bytes));
            }
            long expected = (long) count * MESSAGES_PER_CLIENT;
            if (!Traffic.await(() -> answered.sum() >= expected, TIMEOUT)) {
                throw new IllegalStateException("client warm-up: " + answered.sum() + " of " + expected
                        + " loopback messages came back");
            }
        } finally {
            server.getOutputStream().close();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        boolean quiet = awaitQuietCompiler();
        result.put("client_warmup_connections", count)
                .put("client_warmup_s", (System.nanoTime() - start) / 1e9)
                .put("client_warmup_compiler_quiet", quiet);
    }

    /** Starts a {@link LoopbackServer} in a child JVM (C1 only: it lives for seconds), stopped by closing its input. */
    private static Process startServer() throws IOException {
        return new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                LoopbackServer.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    /** The port the child server printed once it listened. */
    private static int serverPort(Process server) throws IOException {
        String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        if (line == null) {
            throw new IllegalStateException("client warm-up: the loopback server exited before it listened");
        }
        return Integer.parseInt(line.trim());
    }

    /**
     * Waits until the JIT compiler has added no compilation time for {@link #COMPILER_QUIET}, at
     * most {@link #COMPILER_QUIET_TIMEOUT}; returns whether it went quiet. The compiler's threads
     * count as the bench's CPU, and its backlog from the warm-up would otherwise land in the window.
     */
    private static boolean awaitQuietCompiler() throws InterruptedException {
        CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
            return false;
        }
        long deadline = System.nanoTime() + COMPILER_QUIET_TIMEOUT.toNanos();
        long compiledMillis = compiler.getTotalCompilationTime();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(50);
            long now = compiler.getTotalCompilationTime();
            if (now != compiledMillis) {
                compiledMillis = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= COMPILER_QUIET.toNanos()) {
                return true;
            }
        }
        return false;
    }
}
