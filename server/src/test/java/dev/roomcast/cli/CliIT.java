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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shaded jar as a user runs it: help, version, bad flags, variables and config files, a taken
 * port, environment variables, the config file and --print-config.
 */
@Timeout(120)
class CliIT {

    private static final Duration EXIT = Duration.ofSeconds(30);
    /** The exit code docs/operations.md gives a refused setting, from a flag, a variable or the file. */
    private static final int BAD_SETTING = 2;
    /** The exit code of settings accepted but a node that cannot start. */
    private static final int CANNOT_START = 1;

    @TempDir
    Path dir;

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
        assertThat(run.exit()).as(run.toString()).isNotZero().isEqualTo(BAD_SETTING);
        assertOneLineWithoutTrace(run);
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void aBadEnvironmentVariableIsNamedAsTheVariable() {
        Run run = run(Map.of("ROOMCAST_PORT", "eighty"));
        assertThat(run.exit()).as(run.toString()).isEqualTo(BAD_SETTING);
        assertOneLineWithoutTrace(run);
        assertThat(run.stderr()).isEqualTo("roomcast: ROOMCAST_PORT: 'eighty' is not a whole number\n");
    }

    @Test
    void aMessageBoundTheOutboundBoundCannotDeliverIsRefusedAtStartUp() {
        Run run = run(Map.of(), "--max-message-bytes", "65536", "--outbound-buffer-bytes", "65536");
        assertThat(run.exit()).as(run.toString()).isEqualTo(BAD_SETTING);
        assertOneLineWithoutTrace(run);
        assertThat(run.stderr()).startsWith("roomcast: --max-message-bytes: must be at most half of --outbound-buffer-bytes (65536)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"network:\n  prot: 9000\n|network.prot: unknown key",
            "network:\n  port: [1, 2]\n|network.port: wrong type: expected a whole number, found a list",
            "history:\n  history-max-age: soon\n|history.history-max-age: 'soon' is not a duration"})
    void aBadConfigFileIsOneLineNamingTheFileAndTheKey(String yamlAndError) throws IOException {
        String[] parts = yamlAndError.split("\\|");
        Path file = Files.writeString(dir.resolve("roomcast.yml"), parts[0]);
        Run run = run(Map.of(), "--config", file.toString());
        assertThat(run.exit()).as(run.toString()).isEqualTo(BAD_SETTING);
        assertOneLineWithoutTrace(run);
        assertThat(run.stderr()).startsWith("roomcast: " + file + ": " + parts[1]);
    }

    @Test
    void theConfigFileFromTheEnvironmentIsServedAndAFlagWinsOverIt() throws Exception {
        int port = freePort();
        Path file = Files.writeString(dir.resolve("roomcast.yml"), "network:\n  port: " + port + "\n");
        try (RoomcastProcess process = RoomcastProcess.startJar(Map.of("ROOMCAST_CONFIG", file.toString()))) {
            assertThat(process.awaitServing(EXIT)).as(process.output()).isEqualTo(port);
            assertThat(healthz(port)).isEqualTo("ok\n");
        }
        try (RoomcastProcess process = RoomcastProcess.startJar(Map.of(), "--config", file.toString(), "--port", "0")) {
            assertThat(process.awaitServing(EXIT)).as(process.output()).isNotEqualTo(port);
        }
    }

    @Test
    void printConfigPrintsTheSettingsInForceAsAFileWithSecretsMasked() throws IOException {
        String secret = "a-secret-of-at-least-32-characters!";
        Path file = Files.writeString(dir.resolve("roomcast.yml"), "history:\n  history-size: 7\n");
        Run run = run(Map.of("ROOMCAST_JWT_SECRET", secret, "ROOMCAST_HISTORY_MAX_AGE", "5m"),
                "--print-config", "--config", file.toString(), "--port", "9123");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.stderr()).isEmpty();
        assertThat(run.stdout()).doesNotContain(secret)
                .contains("  port: 9123\n").contains("  history-size: 7\n").contains("  history-max-age: 5m\n")
                .contains("  jwt-secret: '********'\n").contains("  io-threads: 0\n");

        Path printed = Files.writeString(dir.resolve("printed.yml"), run.stdout().replace("'********'", "null"));
        Run again = run(Map.of(), "--print-config", "--config", printed.toString());
        assertThat(again.stdout()).as(again.toString()).isEqualTo(run.stdout().replace("'********'", "null"));
    }

    @Test
    void aTakenPortGivesOneClearLineAndANonZeroExit() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Run run = run(Map.of(), "--port", Integer.toString(taken.getLocalPort()));
            assertThat(run.exit()).as(run.toString()).isNotZero().isEqualTo(CANNOT_START);
            assertOneLineWithoutTrace(run);
            assertThat(run.stderr()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()).contains("in use");
        }
    }

    @Test
    void anUnreachableRedisGivesOneClearLineAndANonZeroExit() throws IOException {
        int nobody = freePort();
        Run run = run(Map.of("ROOMCAST_BROKER", "redis://127.0.0.1:" + nobody), "--port", "0");
        assertThat(run.exit()).as(run.toString()).isNotZero().isEqualTo(CANNOT_START);
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
