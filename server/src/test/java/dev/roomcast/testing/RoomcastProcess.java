package dev.roomcast.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * Roomcast as a separate process: the shaded jar (path in system property {@code roomcast.jar})
 * or any command such as the {@code ./roomcast} launcher. Output goes to files, so a chatty
 * process never blocks on a full pipe and a failing test can show everything it printed.
 * {@link #close} kills the process and its children if they are still running. Used from one
 * test thread.
 */
public final class RoomcastProcess implements AutoCloseable {

    /** The line {@code roomcast serve} prints on stderr once it accepts connections. */
    private static final Pattern SERVING = Pattern.compile("Roomcast serving http://\\S+:(\\d+)/");

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private RoomcastProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The built jar, as Failsafe passes it in; fails clearly when run outside {@code mvn verify}. */
    public static Path jar() {
        String jar = System.getProperty("roomcast.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("system property roomcast.jar must name the built jar (mvn verify sets it), got " + jar);
        }
        return Path.of(jar);
    }

    /** {@code java -jar roomcast.jar args…} with {@code env} added to this JVM's environment. */
    public static RoomcastProcess startJar(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        command.addAll(List.of(args));
        return start(Path.of("."), command, env);
    }

    /** Runs {@code command} in {@code directory} with {@code env} added to this JVM's environment. */
    public static RoomcastProcess start(Path directory, List<String> command, Map<String, String> env) {
        try {
            Path stdout = Files.createTempFile("roomcast-", ".out");
            Path stderr = Files.createTempFile("roomcast-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            builder.environment().putAll(env);
            return new RoomcastProcess(builder.start(), stdout, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end and returns its exit code; fails if it is still running after {@code timeout}. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + timeout + "\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits until the process says it is serving and returns the port it serves on. */
    public int awaitServing(Duration timeout) {
        Awaitility.await("Roomcast serving").atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> SERVING.matcher(stderr()).find() || !process.isAlive());
        Matcher serving = SERVING.matcher(stderr());
        if (!serving.find()) {
            throw new AssertionError("exited with " + process.exitValue() + " before serving\n" + output());
        }
        return Integer.parseInt(serving.group(1));
    }

    /** Sends SIGTERM to this process by its PID, as a service manager or {@code docker stop} does. */
    public void sigterm() {
        try {
            Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -TERM " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    /** Everything the process printed, for failure messages. */
    public String output() {
        return "--- stdout ---\n" + stdout() + "--- stderr ---\n" + stderr() + "--------------";
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
