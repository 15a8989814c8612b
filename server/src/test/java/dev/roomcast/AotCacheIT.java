package dev.roomcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.testing.Requirements;
import dev.roomcast.testing.RoomcastProcess;
import dev.roomcast.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The launcher on Java 25 (docs/operations.md, "JVM flags"): the first start serves at once and records
 * an AOT cache for this jar, Java and JVM flags in the background, later starts map it, and a changed jar makes the next start record a
 * new one in place of the stale one. Runs {@code bin/roomcast} on a copy of the jar, with its own
 * cache directory; skipped (with the reason) where Temurin 25 is not installed.
 */
@Timeout(900)
class AotCacheIT {

    private static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    /** A training run starts a node, sends it a few thousand handshakes and messages, and writes the cache: minutes under load. */
    private static final Duration TRAIN = Duration.ofMinutes(5);

    private Path work;
    private Path jar;
    private Path cacheDir;

    @BeforeEach
    void copyJar() throws IOException {
        Requirements.need("jdk25", Files.isExecutable(JDK_25.resolve("bin/java")), JDK_25 + " is not installed");
        work = Files.createTempDirectory("roomcast-aot-");
        jar = Files.copy(RoomcastProcess.jar(), work.resolve("roomcast.jar"));
        cacheDir = work.resolve("cache");
    }

    @AfterEach
    void delete() throws IOException {
        if (work == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void theFirstStartRecordsTheCacheInTheBackgroundLaterStartsUseItAndANewJarReplacesIt() throws Exception {
        Path first = startAndServe(true);
        assertThat(startAndServe(false)).isEqualTo(first);

        // A rebuilt jar (here: the same bytes with a new modification time) no longer matches the cache.
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        Path second = startAndServe(true);
        assertThat(second).isNotEqualTo(first);
        assertThat(first).doesNotExist();
    }

    /**
     * Starts {@code bin/roomcast --port 0} on Java 25 and checks that it serves a room at once. When
     * {@code records}, it runs without a cache while it records one in the background, and is kept
     * serving until the cache is written; otherwise it maps the cache. Stops it and returns the cache file.
     */
    private Path startAndServe(boolean records) throws Exception {
        Map<String, String> env = Map.of("JAVA_HOME", JDK_25.toString(), "ROOMCAST_JAR", jar.toString(),
                "ROOMCAST_AOT_DIR", cacheDir.toString());
        try (RoomcastProcess node = RoomcastProcess.start(work, List.of(Path.of("src/dist/bin/roomcast").toAbsolutePath().toString(),
                "--port", "0"), env)) {
            int port = node.awaitServing(Duration.ofMinutes(1));
            assertThat(node.stderr()).as(node.output()).contains("Java 25").doesNotContainIgnoringCase("warning");
            echoes(port);
            Path maps = Path.of("/proc", Long.toString(node.pid()), "maps");  // the launcher execs java: its PID is the node's
            Path cache;
            if (records) {
                assertThat(node.stderr()).contains("roomcast: recording the AOT cache").contains("in the background");
                assertThat(Files.readString(maps)).as("this start runs without a cache").doesNotContain(".aot");
                await().atMost(TRAIN).pollInterval(Duration.ofSeconds(1)).until(() -> cacheFiles().stream()
                        .anyMatch(file -> file.getFileName().toString().endsWith(".aot")) && cacheFiles().size() == 1);
                cache = cacheFiles().get(0);
                echoes(port);  // the node served all along
            } else {
                assertThat(node.stderr()).doesNotContain("recording");
                assertThat(cacheFiles()).as("the cache directory holds the cache and nothing else").hasSize(1);
                cache = cacheFiles().get(0);
                assertThat(Files.readString(maps)).as("the node maps its AOT cache").contains(cache.toString());
            }
            assertThat(cache.getFileName().toString()).startsWith("roomcast-").endsWith(".aot");
            node.sigterm();
            assertThat(node.awaitExit(Duration.ofSeconds(30))).as(node.output()).isZero();
            return cache;
        }
    }

    private List<Path> cacheFiles() throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.toList();
        }
    }

    private static void echoes(int port) throws Exception {
        try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws/aot"))) {
            client.send("from the node");
            assertThat(client.next()).isEqualTo("Message from aot: from the node");
        }
    }
}
