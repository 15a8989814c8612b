package dev.roomcast.bench;

import static dev.roomcast.bench.BenchFigures.decimal;
import static dev.roomcast.bench.BenchFigures.number;
import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.Main;
import dev.roomcast.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code roomcast bench} against a real node: every scenario runs, counts exactly and reports. */
@Timeout(120)
class BenchIT {

    private static TestServer server;
    private static String pid;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer::withoutRateLimit);
        pid = Long.toString(ProcessHandle.current().pid());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * Runs {@code roomcast bench ARGS --json} in this JVM against the test server and returns what
     * it printed; short warm-up, window and client warm-up unless {@code args} name their own.
     */
    private static String bench(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        List<String> all = new ArrayList<>(List.of("bench"));
        all.addAll(List.of(args));
        all.addAll(List.of("--url", "ws://127.0.0.1:" + server.port(), "--server-pid", pid, "--drain-timeout", "10s", "--json"));
        Map<String, String> defaults = Map.of("--warmup", "200ms", "--duration", "1s", "--client-warmup", "20");
        defaults.forEach((option, value) -> {
            if (!all.contains(option)) {
                all.addAll(List.of(option, value));
            }
        });
        assertThat(cli.execute(all.toArray(String[]::new))).as("exit code, output: %s", out).isZero();
        return out.toString();
    }

    @Test
    void echoCountsEveryRoundTripInRoomsOfOne() {
        String json = bench("echo", "-n", "20");
        assertThat(json).contains("\"scenario\":\"echo\"", "\"lost\":0", "\"other_frames\":0", "\"closed_by_server\":0",
                "\"command\":\"roomcast bench echo -n 20 --url", "\"server_cpu_s\":", "\"bench_cpu_pct\":", "\"rtt_p99_ms\":");
        assertThat(number(json, "received")).isPositive().isEqualTo(number(json, "sent"));
    }

    @Test
    void echoPathUsesTheTutorialsEchoEndpoint() {
        String json = bench("echo", "-n", "5", "--echo-path");
        assertThat(json).contains("\"path\":\"/echo\"", "\"lost\":0");
        assertThat(number(json, "received")).isPositive();
    }

    @Test
    void echoSpeaksTheJsonProtocolWarmUpIncluded() {
        String json = bench("echo", "-n", "3", "--protocol", "json");
        assertThat(json).contains("\"protocol\":\"json\"", "\"client_warmup_connections\":20", "\"lost\":0");
        assertThat(number(json, "received")).isPositive().isEqualTo(number(json, "sent"));
    }

    @Test
    void fanoutDeliversEveryMessageToEveryMemberAtAFixedRate() {
        String json = bench("fanout", "-n", "200", "--rate", "50");
        assertThat(json).contains("\"lost\":0", "\"closed_by_server\":0", "\"latency_p99_ms\":");
        assertThat(number(json, "expected")).isEqualTo(number(json, "published") * 200).isPositive();
        assertThat(number(json, "received")).isEqualTo(number(json, "expected"));
    }

    @Test
    void fanoutAsFastAsTheWindowAllowsLosesNothing() {
        String json = bench("fanout", "-n", "100", "--window", "4");
        assertThat(json).contains("\"rate\":\"max, window 4\"", "\"lost\":0");
        assertThat(number(json, "received")).isEqualTo(number(json, "published") * 100).isPositive();
    }

    @Test
    void fanoutStopsAtTheAskedMessagesEndsTheWindowOnceTheyAreDeliveredAndReportsTheMegabytes() {
        String json = bench("fanout", "-n", "20", "--messages", "30", "--window", "4", "--payload", "2000",
                "--warmup", "0s", "--duration", "60s");
        assertThat(json).contains("\"published\":30,", "\"broadcast_mb\":0.060,", "\"lost\":0", "\"closed_by_server\":0");
        assertThat(number(json, "received")).isEqualTo(30 * 20);
        assertThat(decimal(json, "window_s")).as("the window ended once all were delivered").isLessThan(30);
    }

    @Test
    void theClientWarmupTalksToALoopbackServerOfItsOwnAndNeverToTheServerUnderTest() {
        long before = messagesIn();
        String json = bench("echo", "-n", "3", "--client-warmup", "40");
        assertThat(json).contains("\"client_warmup_connections\":40", "\"lost\":0", "\"other_frames\":0");
        assertThat(messagesIn() - before)
                .as("the server got the measured messages only, not the warm-up's %d", 40 * ClientWarmup.MESSAGES_PER_CLIENT)
                .isEqualTo(number(json, "sent"));
    }

    @Test
    void membersThatReadGetEverythingWhileOneStopsReadingAndTheServersMemoryIsSampled() {
        // Whether the slow member gets closed depends on the kernel's socket buffers filling first
        // (megabytes on loopback), which a test run is too short for; docs/benchmarks.md shows it.
        String json = bench("fanout", "-n", "10", "--slow", "1", "--payload", "4000", "--window", "8");
        assertThat(json).contains("\"slow_members\":1", "\"lost\":0", "\"closed_by_server\":0",
                "\"server_rss_peak_mib\":", "\"server_rss_growth_mib\":");
        assertThat(number(json, "received")).isEqualTo(number(json, "published") * 9).isPositive();
        assertThat(number(json, "slow_closed_1013") + number(json, "slow_closed_otherwise") + number(json, "slow_still_open"))
                .isEqualTo(1);
    }

    @Test
    void chatDeliversEachMessageToItsRoomOnly() {
        String json = bench("chat", "-n", "60", "--room-size", "20", "--rate", "20");
        assertThat(json).contains("\"lost\":0", "\"offered_deliveries_per_s\":24000.000", "\"other_frames\":0");
        assertThat(number(json, "expected")).isEqualTo(number(json, "sent") * 20).isPositive();
    }

    @Test
    void connectHoldsIdleConnectionsAndReportsServerMemory() {
        String json = bench("connect", "-n", "300", "--rooms", "7");
        assertThat(json).contains("\"connections\":300", "\"failed\":0", "\"server_rss_bytes_per_connection\":",
                "\"closed_by_server\":0");
    }

    @Test
    void connectSpreadsOverChildProcessesAndSumsThem() throws Exception {
        Process bench = new ProcessBuilder("java", "-jar", System.getProperty("roomcast.jar"), "bench", "connect",
                "-n", "301", "--procs", "2", "--url", "ws://127.0.0.1:" + server.port(), "--server-pid", pid,
                "--duration", "1s", "--client-warmup", "50", "--json")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        assertThat(bench.waitFor(90, TimeUnit.SECONDS)).isTrue();
        String json = new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bench.exitValue()).as(json).isZero();
        assertThat(json).contains("\"procs\":2", "\"connections\":301", "\"failed\":0", "\"server_rss_bytes_per_connection\":");
        assertThat(decimal(json, "bench_cpu_s")).as("the children's CPU while connecting").isPositive();
    }

    @Test
    void aServerThatIsNotThereFailsWithOneLine() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("bench", "echo", "-n", "2", "--url", "ws://127.0.0.1:1", "--duration", "1s");
        assertThat(code).isNotZero();
        assertThat(err.toString()).startsWith("roomcast: 2 of 2 connections failed").doesNotContain("\tat ");
    }

    /** Messages the test server has taken in from its clients so far. */
    private static long messagesIn() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("roomcast_messages_in_total ([0-9.E]+)")
                .matcher(server.node().metrics().scrape());
        assertThat(m.find()).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }
}
