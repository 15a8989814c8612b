package dev.roomcast.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Roomcast nodes as separate processes ({@code roomcast serve} from the built jar), started together on port 0
 * with the same flags; {@link #close} kills each by its PID. Used from one test thread.
 */
public final class NodeProcesses implements AutoCloseable {

    /** A JVM starting on the shared 2-core machine, several at once, may take a while. */
    private static final Duration STARTUP = Duration.ofSeconds(90);

    private final List<RoomcastProcess> nodes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    private NodeProcesses() {
    }

    /**
     * Starts {@code count} nodes on {@code broker} with {@code flags} added, without the per-connection rate limit
     * (tests publish in bursts) and without the presence grace, and waits until each serves.
     */
    public static NodeProcesses start(int count, String broker, String... flags) {
        NodeProcesses started = new NodeProcesses();
        try {
            for (int i = 0; i < count; i++) {
                List<String> args = new ArrayList<>(List.of("--port", "0", "--broker", broker, "--rate-limit", "1000000",
                        "--rate-limit-burst", "1000000", "--presence-grace", "0s"));
                args.addAll(List.of(flags));
                started.nodes.add(RoomcastProcess.startJar(Map.of(), args.toArray(String[]::new)));
            }
            started.nodes.forEach(node -> started.ports.add(node.awaitServing(STARTUP)));
            return started;
        } catch (RuntimeException | AssertionError e) {
            started.close();
            throw e;
        }
    }

    /** The port node {@code index} serves on. */
    public int port(int index) {
        return ports.get(index);
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** {@code GET /readyz} of node {@code index}: the status code and the body, as {@code "503 not ready: …"}. */
    public String readiness(int index) throws IOException {
        RawHttp.Response answer = RawHttp.send(port(index), "GET", "/readyz", "");
        return answer.status() + " " + answer.body().strip();
    }

    /** {@code GET /metrics} of node {@code index}. */
    public String metrics(int index) throws IOException {
        return RawHttp.send(port(index), "GET", "/metrics", "").body();
    }

    public RoomcastProcess node(int index) {
        return nodes.get(index);
    }

    @Override
    public void close() {
        nodes.forEach(RoomcastProcess::close);
    }
}
