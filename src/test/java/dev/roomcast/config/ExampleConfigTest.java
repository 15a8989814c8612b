package dev.roomcast.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** conf/roomcast.example.yml: every setting, each under its help, at its default. */
class ExampleConfigTest {

    private static final Path EXAMPLE = Path.of("conf/roomcast.example.yml");

    @Test
    void theExampleLoadsToTheDefaults() {
        assertThat(ConfigLoader.load(Map.of(ConfigLoader.CONFIG_FLAG, EXAMPLE.toString()), Map.of()))
                .isEqualTo(RoomcastConfig.defaults());
    }

    @Test
    void theExampleHasEverySettingUnderItsComment() throws IOException {
        JsonNode example = new YAMLMapper().readTree(EXAMPLE.toFile());
        List<String> keys = new ArrayList<>();
        example.fields().forEachRemaining(group -> group.getValue().fieldNames()
                .forEachRemaining(name -> keys.add(group.getKey() + "." + name)));
        assertThat(keys).containsExactlyElementsOf(Settings.all().stream().map(SettingSpec::key).toList());
        assertThat(Files.readString(EXAMPLE))
                .as("conf/roomcast.example.yml starts with what `roomcast --print-config` prints with no settings")
                .startsWith(ConfigFile.render(RoomcastConfig.defaults()));
    }
}
