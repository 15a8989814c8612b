package dev.roomcast.bench;

import static dev.roomcast.bench.BenchFigures.number;
import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.Requirements;
import dev.roomcast.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * bench/gobench, the Go load generator, against a real node on loopback: its own unit tests pass,
 * and every scenario runs for about a second with exact counts. Needs Debian's golang-go and
 * golang-github-gorilla-websocket-dev; without them it is skipped, or fails under
 * {@code -Droomcast.require=go}. Checks counts only, never timings.
 */
@Timeout(300)
class GoBenchIT {

    private static final Path GORILLA = Path.of("/usr/share/gocode/src/github.com/gorilla/websocket");
    private static final Path BUILD_SCRIPT = Path.of("bench", "gobench", "build.sh");

    private static TestServer server;
    private static Path toolFolder;
    private static String binary;

    @BeforeAll
    static void buildTheToolAndStartAServer() throws Exception {
        Requirements.need("go", onPath("go") && Files.isDirectory(GORILLA),
                "bench/gobench needs go and gorilla/websocket: apt-get install golang-go golang-github-gorilla-websocket-dev");
        toolFolder = repositoryRoot().resolve(BUILD_SCRIPT).getParent();
        binary = run(toolFolder, List.of(toolFolder.resolve("build.sh").toString())).trim();
        server = TestServer.start(TestServer::withoutRateLimit);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theToolsOwnTestsPass() throws Exception {
        String out = run(toolFolder, List.of("go", "test", "."), "GO111MODULE=off", "GOPATH=/usr/share/gocode");
        assertThat(out).startsWith("ok");
    }

    @Test
    void echoCountsEveryRoundTripInRoomsOfOne() throws Exception {
        String json = gobench("echo", "-n", "10");
        assertThat(json).contains("\"tool\":\"gobench\"", "\"lost\":0", "\"other_frames\":0", "\"closed_by_server\":0",
                "\"server_cpu_s\":", "\"bench_cpu_pct\":", "\"rtt_p99_ms\":");
        assertThat(number(json, "received")).isPositive().isEqualTo(number(json, "sent"));
    }

    @Test
    void echoPathUsesTheTutorialsEchoEndpoint() throws Exception {
        String json = gobench("echo", "-n", "3", "--echo-path");
        assertThat(json).contains("\"path\":\"/echo\"", "\"lost\":0", "\"other_frames\":0");
        assertThat(number(json, "received")).isPositive().isEqualTo(number(json, "sent"));
    }

    @Test
    void fanoutAtAFixedRateReachesEveryMember() throws Exception {
        String json = gobench("fanout", "-n", "50", "--rate", "20");
        assertThat(json).contains("\"lost\":0", "\"closed_by_server\":0", "\"server_rss_peak_mib\":");
        assertThat(number(json, "expected")).isPositive().isEqualTo(number(json, "published") * 50);
        assertThat(number(json, "received")).isEqualTo(number(json, "expected"));
    }

    @Test
    void fanoutWithAWindowStopsAtTheAskedMessagesOnceAllAreDelivered() throws Exception {
        String json = gobench("fanout", "-n", "20", "--window", "4", "--messages", "30", "--payload", "2000",
                "--warmup", "0s", "--duration", "60s");
        assertThat(json).contains("\"rate\":\"max, window 4\"", "\"published\":30,", "\"broadcast_mb\":0.060,", "\"lost\":0");
        assertThat(number(json, "received")).isEqualTo(30 * 20);
    }

    @Test
    void aMemberThatStopsReadingIsLeftOutOfTheCounts() throws Exception {
        String json = gobench("fanout", "-n", "10", "--slow", "1", "--payload", "4000", "--window", "8");
        assertThat(json).contains("\"slow_members\":1", "\"lost\":0", "\"closed_by_server\":0");
        assertThat(number(json, "received")).isPositive().isEqualTo(number(json, "published") * 9);
        assertThat(number(json, "slow_closed_1013") + number(json, "slow_closed_otherwise") + number(json, "slow_still_open"))
                .isEqualTo(1);
    }

    @Test
    void chatDeliversEachMessageToItsRoomOnly() throws Exception {
        String json = gobench("chat", "-n", "60", "--room-size", "20", "--rate", "20");
        assertThat(json).contains("\"lost\":0", "\"offered_deliveries_per_s\":24000.000", "\"other_frames\":0");
        assertThat(number(json, "expected")).isPositive().isEqualTo(number(json, "sent") * 20);
        assertThat(number(json, "received")).isEqualTo(number(json, "expected"));
    }

    @Test
    void connectHoldsIdleConnectionsAndReportsServerMemory() throws Exception {
        String json = gobench("connect", "-n", "200", "--rooms", "7");
        assertThat(json).contains("\"connections\":200", "\"failed\":0", "\"closed_by_server\":0",
                "\"server_rss_bytes_per_connection\":");
    }

    @Test
    void connectSpreadsOverChildProcessesFromTheirOwnSourceAddressesAndSumsThem() throws Exception {
        String json = gobench("connect", "-n", "201", "--procs", "2");
        assertThat(json).contains("\"procs\":2", "\"connections\":201", "\"failed\":0", "\"server_rss_bytes_per_connection\":");
    }

    @Test
    void onlyLoopbackIsLoaded() throws Exception {
        Process refused = new ProcessBuilder(binary, "echo", "--url", "ws://192.0.2.1:8000").redirectErrorStream(true).start();
        String out = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(refused.waitFor()).as(out).isEqualTo(2);
        assertThat(out).contains("is not a loopback address");
    }

    /** Runs the tool against the test server, with a short warm-up and window unless args name their own. */
    private static String gobench(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(binary));
        command.addAll(List.of(args));
        for (String[] option : new String[][] {{"--warmup", "200ms"}, {"--duration", "1s"}}) {
            if (!command.contains(option[0])) {
                command.addAll(List.of(option));
            }
        }
        command.addAll(List.of("--url", "ws://127.0.0.1:" + server.port(),
                "--server-pid", Long.toString(ProcessHandle.current().pid()), "--json"));
        return run(toolFolder, command);
    }

    /** Runs command in folder with extra environment entries, and returns its output once it exited 0. */
    private static String run(Path folder, List<String> command, String... environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        for (String entry : environment) {
            String[] pair = entry.split("=", 2);
            builder.environment().put(pair[0], pair[1]);
        }
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("exit code of %s, output: %s", command, out).isZero();
        return out;
    }

    /** The checkout's root: the first folder up from here that holds the build script (modules sit below it). */
    private static Path repositoryRoot() throws IOException {
        for (Path folder = Path.of("").toAbsolutePath(); folder != null; folder = folder.getParent()) {
            if (Files.isRegularFile(folder.resolve(BUILD_SCRIPT))) {
                return folder;
            }
        }
        throw new IOException(BUILD_SCRIPT + " not found above " + Path.of("").toAbsolutePath());
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String folder : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(folder, program))) {
                return true;
            }
        }
        return false;
    }
}
