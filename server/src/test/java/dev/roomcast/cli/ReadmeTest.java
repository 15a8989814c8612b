package dev.roomcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Option;

/** The README's configuration table lists every option of {@code roomcast serve} with its environment variable. */
class ReadmeTest {

    @Test
    void everyServeOptionIsInTheReadmeTableWithItsEnvironmentVariable() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int options = 0;
        for (Field field : ServeCommand.class.getDeclaredFields()) {
            Option option = field.getAnnotation(Option.class);
            if (option == null) {
                continue;
            }
            options++;
            String flag = option.names()[0];
            String env = option.defaultValue().replaceAll("^\\$\\{env:(\\w+)}$", "$1");
            assertThat(env).as("%s takes its default from a ROOMCAST_* variable", flag).startsWith("ROOMCAST_");
            assertThat(readme).as("README.md's Configuration table needs a row for %s", flag)
                    .contains("| `" + flag + "` | `" + env + "` |");
        }
        assertThat(options).isGreaterThan(1);
    }
}
