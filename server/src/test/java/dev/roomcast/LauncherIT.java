package dev.roomcast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.RoomcastProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's first command on a clean clone: {@code ./roomcast --port N} in a directory that
 * holds only the committed files of the whole repository (no target/) builds the jar and serves,
 * and a second run reuses the jar instead of building again.
 */
@Timeout(600)
class LauncherIT {

    /** The first build compiles and shades everything on a shared 2-core machine: allow minutes. */
    private static final Duration BUILD_AND_START = Duration.ofMinutes(8);

    private Path clone;

    @BeforeEach
    void copyCommittedFiles() throws IOException, InterruptedException {
        clone = Files.createTempDirectory("roomcast-clone-");
        // Tests run in the server module's directory; the launcher lives at the repository root.
        Path repository = Path.of("..");
        Process git = new ProcessBuilder("git", "ls-files", "-z").directory(repository.toFile()).redirectErrorStream(false).start();
        String listing = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(git.waitFor()).as("git ls-files in %s", repository.toAbsolutePath()).isZero();
        for (String file : listing.split("\0")) {
            Path source = repository.resolve(file);
            // Listed but deleted in the working tree: a clone after committing would not have it either.
            if (!file.isEmpty() && Files.isRegularFile(source)) {
                Path target = clone.resolve(file);
                Files.createDirectories(target.getParent());
                Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        assertThat(clone.resolve("server/target")).doesNotExist();
        assertThat(Files.isExecutable(clone.resolve("roomcast"))).as("./roomcast is committed executable").isTrue();
    }

    @AfterEach
    void deleteClone() throws IOException {
        try (Stream<Path> files = Files.walk(clone)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void onACleanCloneTheLauncherBuildsThenServes() throws Exception {
        int port = freePort();
        long started = System.nanoTime();
        try (RoomcastProcess launcher = RoomcastProcess.start(clone, List.of("./roomcast", "--port", Integer.toString(port)), Map.of())) {
            try {
                assertThat(launcher.awaitServing(BUILD_AND_START)).isEqualTo(port);
                System.err.printf("LauncherIT: first ./roomcast built and served in %d s%n",
                        Duration.ofNanos(System.nanoTime() - started).toSeconds());
                assertThat(launcher.stderr()).contains("roomcast: building");
                assertThat(get(port, "/healthz")).isEqualTo("ok\n");
                assertThat(get(port, "/")).contains("id=\"chat-log\"").contains("id=\"messageText\"").contains("Send");

                // The launcher execs java, so its PID is the server's: SIGTERM drains and exits 0.
                launcher.sigterm();
                assertThat(launcher.awaitExit(Duration.ofSeconds(15))).isZero();
            } catch (Throwable failure) {
                System.err.println("LauncherIT failed; the launcher printed:\n" + launcher.output());
                throw failure;
            }
        }
        try (RoomcastProcess again = RoomcastProcess.start(clone, List.of("./roomcast", "--version"), Map.of())) {
            assertThat(again.awaitExit(Duration.ofSeconds(60))).as(again.output()).isZero();
            assertThat(again.stderr()).as("an up-to-date jar is not rebuilt").doesNotContain("building");
            assertThat(again.stdout()).startsWith("roomcast ");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
        return response.body();
    }
}
