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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A {@code redis-server} of one test's own, on a free loopback port, without persistence, so a test
 * may kill, stall, flush or restart it without touching anyone else's Redis. Faults are real: SIGKILL,
 * SIGSTOP/SIGCONT by PID, a restart on the same port that comes back empty.
 *
 * <p>Threading: not thread-safe; one test thread drives it.
 */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final Path log;
    private Process process;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    private RedisServer(int port, Path log) {
        this.port = port;
        this.log = log;
    }

    /** Starts one, skipping the test (or failing it under {@code -Droomcast.require=redis}) without redis-server. */
    public static RedisServer start() {
        Requirements.need("redis", onPath(), "redis-server is not installed");
        try {
            RedisServer server = new RedisServer(freePort(), Files.createTempFile("redis-server", ".log"));
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
            process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--protected-mode", "no")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
        Awaitility.await("redis-server on port " + port).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20)).until(this::answers);
    }

    private boolean answers() {
        if (!process.isAlive()) {
            throw new IllegalStateException("redis-server exited: " + readLog());
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.getOutputStream().write("PING\r\n".getBytes());
            return socket.getInputStream().read() == '+';
        } catch (IOException e) {
            return false;
        }
    }

    private void signal(String name) {
        try {
            new ProcessBuilder(List.of("kill", "-" + name, Long.toString(process.pid()))).start().waitFor(5, TimeUnit.SECONDS);
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

    private static boolean onPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, "redis-server"))) {
                return true;
            }
        }
        return false;
    }
}
