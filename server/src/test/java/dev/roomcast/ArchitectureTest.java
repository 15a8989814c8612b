package dev.roomcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
        for (String pkg : List.of("bench", "broker", "cli", "concurrent", "config", "hooks", "hub", "metrics", "protocol", "room",
                "security", "server", "webhooks")) {
            assertThat(importsOf(pkg, "dev.roomcast.")).as("imports of the root package (Main, Roomcast) in %s", pkg)
                    .noneMatch(line -> line.matches(".*: import dev\\.roomcast\\.[A-Z]\\w*;"));
        }
    }

    /**
     * The transport's areas, top to bottom: the bootstrap and router in {@code server/} itself may
     * import them all; each sub-package imports only its own classes and the sub-packages named here.
     */
    private static final Map<String, List<String>> TRANSPORT_IMPORTS = Map.of(
            "api", List.of(),
            "websocket", List.of("gate", "frame"),
            "gate", List.of(),
            "frame", List.of());

    @Test
    void theTransportSubPackagesImportOneWay() throws IOException {
        for (Map.Entry<String, List<String>> area : TRANSPORT_IMPORTS.entrySet()) {
            String allowed = Stream.concat(Stream.of(area.getKey()), area.getValue().stream()).collect(Collectors.joining("|"));
            assertThat(importsOf("server/" + area.getKey(), "dev.roomcast.server.")).as("imports of server.%s", area.getKey())
                    .allMatch(line -> line.matches(".*: import dev\\.roomcast\\.server\\.(" + allowed + ")\\.\\w+;"));
        }
    }

    @Test
    void everyTransportSubPackageHasItsImportRule() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of("src/main/java/dev/roomcast/server"))) {
            assertThat(dirs.filter(Files::isDirectory).map(dir -> dir.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(TRANSPORT_IMPORTS.keySet());
        }
    }

    @Test
    void hooksAreReachedOneWayAndKnowNoTransportHubOrMetricsLibrary() throws IOException {
        assertThat(importsOf("hooks", "io.netty")).isEmpty();
        assertThat(importsOf("hooks", "io.micrometer")).isEmpty();
        assertThat(importsOf("hooks", "dev.roomcast.")).as("hooks use config, protocol and the room model only")
                .allMatch(line -> line.matches(".*import dev\\.roomcast\\.(hooks|config|protocol|room)\\..*"));
        for (String pkg : List.of("hub", "broker", "room", "protocol", "security", "config")) {
            assertThat(importsOf(pkg, "dev.roomcast.hooks")).as("imports of hooks in %s", pkg).isEmpty();
        }
    }

    @Test
    void webhooksHearTheHubOneWayAndKnowNoTransportOrMetricsLibrary() throws IOException {
        assertThat(importsOf("webhooks", "io.netty")).isEmpty();
        assertThat(importsOf("webhooks", "io.micrometer")).isEmpty();
        assertThat(importsOf("webhooks", "dev.roomcast.")).as("webhooks use the hub's Lifecycle, the room model, the broker's LifecycleLedger and config only")
                .allMatch(line -> line.matches(".*import dev\\.roomcast\\.(webhooks|config|hub|room)\\..*")
                        || line.endsWith("import dev.roomcast.broker.LifecycleLedger;"));
        for (String pkg : List.of("hub", "broker", "room", "protocol", "security", "config", "hooks")) {
            assertThat(importsOf(pkg, "dev.roomcast.webhooks")).as("imports of webhooks in %s", pkg).isEmpty();
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
