package dev.roomcast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.RoomcastProcess;
import dev.roomcast.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The release archive as an operator gets it: unpacked into an empty directory, away from Maven and
 * the source tree, {@code bin/roomcast --port N} starts a node with nothing but Java (found through
 * JAVA_HOME), which serves WebSockets and drains on SIGTERM; the archive holds the jar, the systemd
 * unit, the docs and the repository's {@code conf/}.
 */
@Timeout(180)
class ReleaseArchiveIT {

    private Path unpacked;

    @BeforeEach
    void unpack() throws IOException, InterruptedException {
        String archive = System.getProperty("roomcast.archive");
        assertThat(archive).as("system property roomcast.archive (mvn verify sets it)").isNotNull();
        assertThat(Path.of(archive)).isRegularFile();
        unpacked = Files.createTempDirectory("roomcast-release-");
        Process tar = new ProcessBuilder("tar", "-xzf", Path.of(archive).toAbsolutePath().toString(), "-C", unpacked.toString())
                .inheritIO().start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0).as("tar -xzf " + archive).isTrue();
    }

    @AfterEach
    void delete() throws IOException {
        try (Stream<Path> files = Files.walk(unpacked)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void theUnpackedArchiveStartsANodeWithOnlyJava() throws Exception {
        Path home;
        try (Stream<Path> top = Files.list(unpacked)) {
            home = top.findFirst().orElseThrow();
        }
        assertThat(home.getFileName().toString()).startsWith("roomcast-");
        assertThat(Files.isExecutable(home.resolve("bin/roomcast"))).isTrue();
        assertThat(home.resolve("lib/roomcast.jar")).isRegularFile();
        assertThat(home.resolve("systemd/roomcast.service")).content().contains("ExecStart=/opt/roomcast/bin/roomcast serve");
        assertThat(home.resolve("docs/operations.md")).content().contains("## Install");
        assertThat(home.resolve("docs/grafana-dashboard.json")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(filesUnder(home.resolve("conf"))).as("the repository's conf/, whatever it holds")
                .isEqualTo(filesUnder(Path.of("..", "conf")));

        // No Maven and no source tree: a PATH with only the basic tools, JAVA_HOME for Java, an empty working directory.
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", System.getProperty("java.home"));
        try (RoomcastProcess node = RoomcastProcess.start(unpacked, List.of(home.resolve("bin/roomcast").toString(),
                "--port", "0"), env)) {
            int port = node.awaitServing(Duration.ofSeconds(60));
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).isEqualTo("ok\n");
            try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws/release"))) {
                client.send("from the archive");
                assertThat(client.next()).isEqualTo("Message from release: from the archive");
            }
            assertThat(node.stderr()).as("the default JVM flags of bin/roomcast").contains("GC Copy + MarkSweepCompact");
            node.sigterm();
            assertThat(node.awaitExit(Duration.ofSeconds(30))).as(node.output()).isZero();
        }
    }

    @Test
    void theLauncherRefusesAJavaOlderThan17WithOneLine() throws Exception {
        Path home;
        try (Stream<Path> top = Files.list(unpacked)) {
            home = top.findFirst().orElseThrow();
        }
        Path fakeJava = Files.createDirectories(unpacked.resolve("old-jdk/bin")).resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\necho 'java version \"1.8.0_402\"' >&2\n");
        assertThat(fakeJava.toFile().setExecutable(true)).isTrue();
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", unpacked.resolve("old-jdk").toString());
        try (RoomcastProcess old = RoomcastProcess.start(unpacked, List.of(home.resolve("bin/roomcast").toString()), env)) {
            assertThat(old.awaitExit(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(old.stderr()).startsWith("roomcast: ").contains("is not Java 17 or later").contains("1.8.0_402");
        }
    }

    /** The relative paths of the regular files under {@code directory}, sorted; none when it does not exist. */
    private static List<String> filesUnder(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).map(file -> directory.relativize(file).toString()).sorted().toList();
        }
    }
}
