package dev.roomcast.hooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What one hook call costs Roomcast's side: {@link HookCaller} (the JDK's asynchronous HttpClient, keep-alive,
 * HTTP/1.1) posting a join hook's body to a backend on loopback that answers {@code {"allow":true}} at once,
 * and reading the answer, one call at a time. Run with {@code -prof gc} for the bytes allocated per call. The
 * backend (the JDK's HTTP server) runs in the same JVM, so the time includes its side too: an upper bound.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HookCallBenchmark {

    private static final byte[] ALLOW = "{\"allow\":true}".getBytes(StandardCharsets.UTF_8);

    private HttpServer backend;
    private ExecutorService backendThreads;
    private HookCaller caller;
    private URI url;
    private ObjectNode body;

    @Setup(Level.Trial)
    public void start() throws IOException {
        // The JDK server leaves Nagle on by default: its small answers would wait for the client's delayed ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        backendThreads = Executors.newSingleThreadExecutor();
        backend.setExecutor(backendThreads);
        backend.createContext("/join", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, ALLOW.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(ALLOW);
                }
            }
        });
        backend.start();
        url = URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/join");
        caller = new HookCaller(Duration.ofSeconds(2), 256, (hook, outcome, nanos) -> { });
        body = HookCaller.JSON.createObjectNode().put("hook", "join").put("user", "ann").put("room", "vip:lounge");
    }

    @TearDown(Level.Trial)
    public void stop() {
        backend.stop(0);
        backendThreads.shutdownNow();
    }

    @Benchmark
    public Object joinHookRoundTrip() {
        return caller.call(Hook.JOIN, url, body).toCompletableFuture().join();
    }
}
