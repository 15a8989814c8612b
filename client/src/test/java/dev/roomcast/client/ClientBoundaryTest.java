package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The client jar needs only the JDK and Jackson: its sources import neither Netty nor the server. */
class ClientBoundaryTest {

    @Test
    void clientSourcesImportOnlyTheJdkJacksonAndThemselves() throws IOException {
        Path sources = Path.of("src/main/java/dev/roomcast/client");
        try (Stream<Path> files = Files.walk(sources)) {
            List<String> foreign = files.filter(file -> file.toString().endsWith(".java"))
                    .flatMap(file -> {
                        try {
                            return Files.readAllLines(file).stream()
                                    .filter(line -> line.startsWith("import "))
                                    .filter(line -> !line.matches("import (static )?(java\\.|javax\\.|com\\.fasterxml\\.jackson\\.|dev\\.roomcast\\.client\\.).*"))
                                    .map(line -> sources.relativize(file) + ": " + line);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .toList();
            assertThat(foreign).isEmpty();
        }
    }
}
