package dev.roomcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The boundaries of DESIGN.md section 4 that the compiler cannot check. */
class ArchitectureTest {

    private static List<String> importsOf(String pkg, String forbidden) throws IOException {
        Path dir = Path.of("src/main/java/dev/roomcast", pkg);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .flatMap(f -> {
                        try {
                            return Files.readAllLines(f).stream()
                                    .filter(line -> line.startsWith("import " + forbidden))
                                    .map(line -> dir.relativize(f) + ": " + line);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
    }

    @Test
    void hubAndBrokerKnowNoTransport() throws IOException {
        assertThat(importsOf("hub", "io.netty")).isEmpty();
        assertThat(importsOf("broker", "io.netty")).isEmpty();
    }

    @Test
    void theRoomModelAndTheOrderingToolDependOnNothingElseInRoomcast() throws IOException {
        for (String pkg : List.of("room", "concurrent")) {
            assertThat(importsOf(pkg, "dev.roomcast.")).as(pkg).isEmpty();
            assertThat(importsOf(pkg, "io.")).as(pkg).isEmpty();
        }
    }

    @Test
    void brokerDependsOnlyOnTheRoomModelAndTheOrderingTool() throws IOException {
        assertThat(importsOf("broker", "dev.roomcast.")).allMatch(line -> line.contains("dev.roomcast.broker.")
                || line.contains("dev.roomcast.room.") || line.contains("dev.roomcast.concurrent."));
    }

    @Test
    void theWireAndTheTransportDoNotKnowTheBroker() throws IOException {
        assertThat(importsOf("protocol", "dev.roomcast.broker")).isEmpty();
        assertThat(importsOf("server", "dev.roomcast.broker")).isEmpty();
        assertThat(importsOf("bench", "dev.roomcast.broker")).isEmpty();
    }

    @Test
    void nothingImportsTheRootPackageSoMainAndTheCliFormNoCycle() throws IOException {
        for (String pkg : List.of("bench", "broker", "cli", "concurrent", "config", "hub", "metrics", "protocol", "room", "security", "server")) {
            assertThat(importsOf(pkg, "dev.roomcast.")).as("imports of the root package (Main, Roomcast) in %s", pkg)
                    .noneMatch(line -> line.matches(".*: import dev\\.roomcast\\.[A-Z]\\w*;"));
        }
    }

    @Test
    void protocolKnowsNoTransport() throws IOException {
        assertThat(importsOf("protocol", "io.netty")).isEmpty();
    }

    @Test
    void securityRulesAndMetricsKnowNoTransport() throws IOException {
        assertThat(importsOf("security", "io.netty")).isEmpty();
        assertThat(importsOf("metrics", "io.netty")).isEmpty();
    }

    @Test
    void theHubExposesPlainCountsAndKnowsNoMetricsLibrary() throws IOException {
        assertThat(importsOf("hub", "dev.roomcast.metrics")).isEmpty();
        assertThat(importsOf("hub", "io.micrometer")).isEmpty();
        assertThat(importsOf("broker", "io.micrometer")).isEmpty();
    }
}
