package dev.roomcast.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A {@code redis-server} of one test's own, on a free loopback port, without persistence, so a test
 * may kill, stall, flush or restart it without touching anyone else's Redis. Faults are real: SIGKILL,
 * SIGSTOP/SIGCONT by PID, a restart on the same port that comes back empty. Also a replica of another
 * one, or a {@code redis-sentinel} watching one, for failover tests.
 *
 * <p>Threading: not thread-safe; one test thread drives it.
 */
public final class RedisServer implements AutoCloseable {

    /** Sentinel's name of the master the sentinels of {@link #startSentinel} watch. */
    public static final String MASTER_NAME = "mymaster";
    /** How long sentinels wait before they call an unanswering master down: short, so failover tests are quick. */
    public static final Duration SENTINEL_DOWN_AFTER = Duration.ofSeconds(1);

    private final int port;
    private final Path log;
    /** The command that starts it, without the port: run again by {@link #restartEmpty}. */
    private final List<String> command;
    private Process process;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    private RedisServer(int port, Path log, List<String> command) {
        this.port = port;
        this.log = log;
        this.command = command;
    }

    /** Starts one, skipping the test (or failing it under {@code -Droomcast.require=redis}) without redis-server. */
    public static RedisServer start() {
        return startServer(List.of());
    }

    /** Starts a replica of the Redis on {@code masterPort} (loopback); it answers before it has synchronized. */
    public static RedisServer startReplicaOf(int masterPort) {
        return startServer(List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort)));
    }

    /**
     * Starts a {@code redis-sentinel} watching {@code master} as {@link #MASTER_NAME} with a quorum of 2, calling
     * it down after {@link #SENTINEL_DOWN_AFTER}; sentinels of one master find each other through it.
     */
    public static RedisServer startSentinel(RedisServer master) {
        Requirements.need("redis", onPath("redis-sentinel"), "redis-sentinel is not installed");
        try {
            int port = freePort();
            // Sentinel rewrites its configuration file, so each gets its own.
            Path config = Files.createTempFile("redis-sentinel", ".conf");
            Files.writeString(config, String.join("\n",
                    "port " + port,
                    "bind 127.0.0.1",
                    "protected-mode no",
                    "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
                    "sentinel down-after-milliseconds " + MASTER_NAME + " " + SENTINEL_DOWN_AFTER.toMillis(),
                    "sentinel failover-timeout " + MASTER_NAME + " 5000",
                    ""));
            return launched(new RedisServer(port, Files.createTempFile("redis-sentinel", ".log"),
                    List.of("redis-sentinel", config.toString())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a Redis Cluster node (not yet part of a cluster; {@link RedisCluster} joins them) whose peers call it
     * failed after {@code nodeTimeout}. Its cluster bus gets a free port of its own too; a replica takes over
     * however long it was cut off from its master, so a failover test is never refused one; and the other shards
     * keep serving while one has no master ({@code cluster-require-full-coverage no}, as docs/operations.md advises).
     */
    public static RedisServer startClusterNode(Duration nodeTimeout) {
        try {
            return startServer(List.of("--cluster-enabled", "yes", "--cluster-port", Integer.toString(freePort()),
                    "--cluster-node-timeout", Long.toString(nodeTimeout.toMillis()),
                    "--cluster-replica-validity-factor", "0", "--cluster-require-full-coverage", "no"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code --broker} URL of the master that {@code sentinels} watch. */
    public static String sentinelUri(List<RedisServer> sentinels) {
        return "redis-sentinel://" + String.join(",", sentinels.stream().map(s -> "127.0.0.1:" + s.port()).toList())
                + "/" + MASTER_NAME;
    }

    private static RedisServer startServer(List<String> options) {
        Requirements.need("redis", onPath("redis-server"), "redis-server is not installed");
        try {
            int port = freePort();
            // A directory of its own: a replica writes the master's snapshot to disk while it synchronizes.
            List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no",
                    "--dir", Files.createTempDirectory("redis-server").toString()));
            command.addAll(options);
            return launched(new RedisServer(port, Files.createTempFile("redis-server", ".log"), command));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RedisServer launched(RedisServer server) {
        server.launch();
        return server;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:port}, or with {@code /db} appended by the caller. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** Whether the process still runs (not {@link #kill killed}). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** A connection for the test's own commands (FLUSHALL, CLIENT KILL, inspecting keys); reconnects by itself. */
    public RedisCommands<String, String> redis() {
        if (client == null) {
            client = RedisClient.create(uri());
            connection = client.connect();
        }
        return connection.sync();
    }

    /** SIGKILL, then a new redis-server on the same port: Redis restarted and empty. */
    public void restartEmpty() {
        kill();
        launch();
    }

    /** SIGKILL: every connection drops at once, nothing answers until {@link #restartEmpty}. */
    public void kill() {
        signal("KILL");
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP: Redis stalls; connections stay open and nothing is answered until {@link #resume}. */
    public void stall() {
        signal("STOP");
    }

    /** SIGCONT after {@link #stall}. */
    public void resume() {
        signal("CONT");
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
        if (process.isAlive()) {
            signal("CONT");
            process.destroyForcibly();
        }
    }

    private void launch() {
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0), e);
        }
        Awaitility.await(command.get(0) + " on port " + port).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20)).until(this::answers);
    }

    private boolean answers() {
        if (!process.isAlive()) {
            throw new IllegalStateException(command.get(0) + " exited: " + readLog());
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.getOutputStream().write("PING\r\n".getBytes());
            return socket.getInputStream().read() == '+';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Sends the signal and returns once {@code kill} has: a test that goes on before a SIGSTOP took effect would
     * have Redis answer, or stall between a script's publish and its reply, and fail far from the cause.
     */
    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder(List.of("kill", "-" + name, Long.toString(process.pid()))).start();
            if (!kill.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("kill -" + name + " " + process.pid() + " did not finish within 30 s");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String readLog() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
