package dev.roomcast.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.roomcast.room.PresenceMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conf/roomcast.example.yml: every setting, each under its help, at its default; and the YAML
 * examples of docs/operations.md load as the docs say.
 */
class ExampleConfigTest {

    @TempDir
    Path dir;

    private static final Path EXAMPLE = Path.of("../conf/roomcast.example.yml");

    @Test
    void theExampleLoadsToTheDefaults() {
        assertThat(ConfigLoader.load(Map.of(ConfigLoader.CONFIG_FLAG, EXAMPLE.toString()), Map.of()))
                .isEqualTo(RoomcastConfig.defaults());
    }

    @Test
    void theExampleHasEverySettingUnderItsComment() throws IOException {
        JsonNode example = new YAMLMapper().readTree(EXAMPLE.toFile());
        List<String> keys = new ArrayList<>();
        example.properties().forEach(group -> group.getValue().properties()
                .forEach(setting -> keys.add(group.getKey() + "." + setting.getKey())));
        assertThat(keys).containsExactlyElementsOf(Settings.all().stream().map(SettingSpec::key).toList());
        assertThat(Files.readString(EXAMPLE))
                .as("conf/roomcast.example.yml starts with what `roomcast --print-config` prints with no settings;"
                        + " remake it after `mvn package` with: { env -i PATH=\"$PATH\" java -jar server/target/roomcast.jar"
                        + " --print-config; echo; sed -n '/^# Namespaces/,$p' conf/roomcast.example.yml; } > new.yml")
                .startsWith(ConfigFile.render(RoomcastConfig.defaults()));
    }

    @Test
    void theOperationsGuidesFileExampleAndItsNamespacesExampleLoad() throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher yaml = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(Path.of("../docs/operations.md")));
        while (yaml.find()) {
            blocks.add(yaml.group(1));
        }
        assertThat(blocks).hasSize(2);

        Path example = Files.writeString(dir.resolve("example.yml"), blocks.get(0));
        RoomcastConfig config = ConfigLoader.load(Map.of(ConfigLoader.CONFIG_FLAG, example.toString()), Map.of());
        assertThat(config.network().host()).isEqualTo("0.0.0.0");
        assertThat(config.limits().maxConnectionsPerIp()).isEqualTo(100);
        assertThat(config.auth().allowedOrigins()).containsExactly("https://chat.example.com");

        Path namespacesFile = Files.writeString(dir.resolve("namespaces.yml"), blocks.get(1));
        Namespaces namespaces = ConfigLoader.load(Map.of(ConfigLoader.CONFIG_FLAG, namespacesFile.toString()), Map.of())
                .namespaces();
        assertThat(namespaces.byName()).containsOnlyKeys("notify", "public", "prices", "stage");
        assertThat(namespaces.of("notify:alice")).isEqualTo(
                new Namespace(Namespace.Publish.API, PresenceMode.OFF, false, 20, Duration.ofHours(24), Namespace.SlowConsumer.DISCONNECT, null));
        assertThat(namespaces.of("public:hall")).isEqualTo(
                new Namespace(Namespace.Publish.MEMBERS, PresenceMode.FULL, true, null, null, Namespace.SlowConsumer.DISCONNECT, null));
        assertThat(namespaces.of("prices:eur").slowConsumer()).isEqualTo(Namespace.SlowConsumer.CONFLATE);
        assertThat(namespaces.of("stage:keynote").presence()).isEqualTo(PresenceMode.COUNT);
        assertThat(namespaces.of("lobby")).isEqualTo(Namespace.DEFAULT);
        assertThat(namespaces.of("elsewhere:x")).isEqualTo(Namespace.DEFAULT);
    }
}
