package dev.roomcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.RoomcastProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shaded jar as a user runs it: help, version, bad flags, a taken port, environment variables. */
@Timeout(120)
class CliIT {

    private static final Duration EXIT = Duration.ofSeconds(30);

    /** Runs the jar to completion and returns it (closed, output kept in memory by the caller). */
    private static Run run(Map<String, String> env, String... args) {
        try (RoomcastProcess process = RoomcastProcess.startJar(env, args)) {
            int exit = process.awaitExit(EXIT);
            return new Run(exit, process.stdout(), process.stderr());
        }
    }

    private record Run(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    @Test
    void helpPrintsUsageAndExits0() {
        Run run = run(Map.of(), "--help");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.stdout()).contains("Usage: roomcast").contains("serve").contains("'roomcast serve --help'");
        assertThat(run.stderr()).isEmpty();
    }

    @Test
    void serveHelpListsEveryFlagWithItsEnvironmentVariable() {
        Run run = run(Map.of(), "serve", "--help");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.stdout()).contains("Usage: roomcast serve")
                .contains("--host").contains("ROOMCAST_HOST")
                .contains("--port").contains("ROOMCAST_PORT")
                .contains("--max-message-bytes").contains("ROOMCAST_MAX_MESSAGE_BYTES")
                .contains("--drain-timeout").contains("ROOMCAST_DRAIN_TIMEOUT");
    }

    @Test
    void versionPrintsTheVersionAndExits0() {
        Run run = run(Map.of(), "--version");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.stdout().strip()).matches("roomcast \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--bogus", "--port=abc", "--port=70000", "--drain-timeout=soon", "--max-message-bytes=0", "serve extra",
            "--broker=memcached://127.0.0.1:11211"})
    void aBadFlagGivesOneLineOnStderrAndANonZeroExit(String args) {
        Run run = run(Map.of(), args.split(" "));
        assertThat(run.exit()).as(run.toString()).isNotZero();
        assertOneLineWithoutTrace(run);
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void aTakenPortGivesOneClearLineAndANonZeroExit() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Run run = run(Map.of(), "--port", Integer.toString(taken.getLocalPort()));
            assertThat(run.exit()).as(run.toString()).isNotZero();
            assertOneLineWithoutTrace(run);
            assertThat(run.stderr()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()).contains("in use");
        }
    }

    @Test
    void anUnreachableRedisGivesOneClearLineAndANonZeroExit() throws IOException {
        int nobody = freePort();
        Run run = run(Map.of("ROOMCAST_BROKER", "redis://127.0.0.1:" + nobody), "--port", "0");
        assertThat(run.exit()).as(run.toString()).isNotZero();
        assertOneLineWithoutTrace(run);
        assertThat(run.stderr()).contains("cannot use Redis at 127.0.0.1:" + nobody).contains("refused");
    }

    @Test
    void roomcastPortFromTheEnvironmentIsHonouredAndAFlagWinsOverIt() throws Exception {
        int port = freePort();
        try (RoomcastProcess process = RoomcastProcess.startJar(Map.of("ROOMCAST_PORT", Integer.toString(port)))) {
            assertThat(process.awaitServing(EXIT)).as(process.output()).isEqualTo(port);
            assertThat(healthz(port)).isEqualTo("ok\n");
        }
        try (RoomcastProcess process = RoomcastProcess.startJar(Map.of("ROOMCAST_PORT", "1"), "--port", "0")) {
            assertThat(process.awaitServing(EXIT)).as(process.output()).isNotEqualTo(1);
        }
    }

    private static void assertOneLineWithoutTrace(Run run) {
        assertThat(run.stderr()).as(run.toString()).startsWith("roomcast: ").endsWith("\n");
        assertThat(run.stderr().strip()).as(run.toString()).doesNotContain("\n");
        assertThat(run.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static String healthz(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
