package dev.roomcast.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flags, environment, file and defaults: which wins, and how a refusal names where the value came from. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path file = dir.resolve("roomcast.yml");
        Files.writeString(file, yaml);
        return file;
    }

    private static Map<String, String> config(Path file) {
        return Map.of(ConfigLoader.CONFIG_FLAG, file.toString());
    }

    @Test
    void aFlagWinsOverItsVariableWhichWinsOverTheFileWhichWinsOverTheDefault() throws IOException {
        Path file = file("network:\n  port: 9001\n");
        Map<String, String> environment = Map.of("ROOMCAST_PORT", "9002", ConfigLoader.CONFIG_VARIABLE, file.toString());

        assertThat(ConfigLoader.load(Map.of("--port", "9003"), environment).network().port()).isEqualTo(9003);
        assertThat(ConfigLoader.load(Map.of(), environment).network().port()).isEqualTo(9002);
        assertThat(ConfigLoader.load(Map.of(), Map.of(ConfigLoader.CONFIG_VARIABLE, file.toString())).network().port())
                .isEqualTo(9001);
        assertThat(ConfigLoader.load(Map.of(), Map.of()).network().port()).isEqualTo(8000);
    }

    @Test
    void anEmptyFlagOrVariableLeavesTheSettingToTheNextSource() throws IOException {
        Path file = file("cluster:\n  redis-prefix: from-file\n");
        RoomcastConfig config = ConfigLoader.load(Map.of("--redis-prefix", "", ConfigLoader.CONFIG_FLAG, file.toString()),
                Map.of("ROOMCAST_REDIS_PREFIX", " ", "ROOMCAST_API_KEY", ""));
        assertThat(config.cluster().redisPrefix()).isEqualTo("from-file");
        assertThat(config.auth().apiKey()).isNull();
    }

    @Test
    void theLogFormatIsReadInAnyCaseFromEverySource() throws IOException {
        Path file = file("observability:\n  log-format: Json\n");
        assertThat(ConfigLoader.load(Map.of("--log-format", "JSON"), Map.of()).observability().logFormat())
                .isEqualTo(Observability.LogFormat.JSON);
        assertThat(ConfigLoader.load(Map.of(), Map.of("ROOMCAST_LOG_FORMAT", "json")).observability().logFormat())
                .isEqualTo(Observability.LogFormat.JSON);
        assertThat(ConfigLoader.load(config(file), Map.of()).observability().logFormat())
                .isEqualTo(Observability.LogFormat.JSON);
        assertThat(ConfigLoader.load(Map.of(), Map.of()).observability().logFormat()).isEqualTo(Observability.LogFormat.TEXT);
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("ROOMCAST_LOG_FORMAT", "xml")))
                .isInstanceOf(InvalidSetting.class).hasMessage("ROOMCAST_LOG_FORMAT: 'xml' is not one of text, json");
    }

    @Test
    void theConfigFlagWinsOverTheConfigVariable() throws IOException {
        Path file = file("history:\n  history-size: 7\n");
        RoomcastConfig config = ConfigLoader.load(config(file),
                Map.of(ConfigLoader.CONFIG_VARIABLE, dir.resolve("missing.yml").toString()));
        assertThat(config.history().historySize()).isEqualTo(7);
    }

    @Test
    void aFileSetsEveryKindOfValue() throws IOException {
        Path file = file("""
                network:
                  handshake-timeout: 500ms
                  tls-cert: cert.pem
                  tls-key: key.pem
                limits:
                  max-message-bytes: "1000"
                auth:
                  allowed-origins: [https://a.example, https://b.example]
                history:
                  history-max-age: 0
                  history-max-bytes: 5000000000
                cluster:
                  broker: redis://127.0.0.1:6379
                """);
        RoomcastConfig config = ConfigLoader.load(config(file), Map.of());
        assertThat(config.network().handshakeTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.network().tlsCert()).isEqualTo(Path.of("cert.pem"));
        assertThat(config.limits().maxMessageBytes()).isEqualTo(1000);
        assertThat(config.auth().allowedOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(config.history().historyMaxAge()).isZero();
        assertThat(config.history().historyMaxBytes()).isEqualTo(5_000_000_000L);
        assertThat(config.cluster().redisBroker()).isTrue();
    }

    @Test
    void aKeyWithoutAValueOrAnEmptyFileKeepsTheDefault() throws IOException {
        assertThat(ConfigLoader.load(config(file("network:\n  port:\nlimits:\n")), Map.of()))
                .isEqualTo(RoomcastConfig.defaults());
        assertThat(ConfigLoader.load(config(file("")), Map.of())).isEqualTo(RoomcastConfig.defaults());
    }

    @Test
    void anUnknownKeyIsOneLineNamingTheFileAndTheKey() throws IOException {
        Path file = file("network:\n  prot: 9000\n");
        assertThatThrownBy(() -> ConfigLoader.load(config(file), Map.of()))
                .isInstanceOf(InvalidSetting.class).hasMessage(file + ": network.prot: unknown key");
        Path group = file("netwrk:\n  port: 9000\n");
        assertThatThrownBy(() -> ConfigLoader.load(config(group), Map.of()))
                .hasMessage(group + ": unknown key 'netwrk' (the groups are network, limits, auth, history, cluster, observability, hooks, webhooks)");
    }

    @Test
    void aValueOfTheWrongShapeIsOneLineNamingTheFileAndTheKey() throws IOException {
        Path file = file("network:\n  port: {number: 9000}\n");
        assertThatThrownBy(() -> ConfigLoader.load(config(file), Map.of()))
                .hasMessage(file + ": network.port: wrong type: expected a whole number, found a mapping");
        Path group = file("network: 9000\n");
        assertThatThrownBy(() -> ConfigLoader.load(config(group), Map.of()))
                .hasMessage(group + ": wrong type: network must be a mapping of settings");
    }

    @Test
    void aBadValueIsOneLineNamingTheFileAndTheKey() throws IOException {
        Path notANumber = file("limits:\n  max-connections: many\n");
        assertThatThrownBy(() -> ConfigLoader.load(config(notANumber), Map.of()))
                .hasMessage(notANumber + ": limits.max-connections: 'many' is not a whole number");
        Path outOfRange = file("network:\n  ping-interval: 0s\n");
        assertThatThrownBy(() -> ConfigLoader.load(config(outOfRange), Map.of()))
                .hasMessage(outOfRange + ": network.ping-interval: must be at least 1ms, got 0");
        Path notYaml = file("network:\n  port: [9000\n");
        assertThatThrownBy(() -> ConfigLoader.load(config(notYaml), Map.of()))
                .hasMessageStartingWith(notYaml + ": not valid YAML: ");
        assertThatThrownBy(() -> ConfigLoader.load(config(dir.resolve("missing.yml")), Map.of()))
                .hasMessage(dir.resolve("missing.yml") + ": no such config file");
    }

    @Test
    void aBadVariableIsNamedAsTheVariableNotTheFlag() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("ROOMCAST_PORT", "eighty")))
                .hasMessage("ROOMCAST_PORT: 'eighty' is not a whole number");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("ROOMCAST_PORT", "70000")))
                .hasMessage("ROOMCAST_PORT: must be between 0 and 65535, got 70000");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("--drain-timeout", "soon"), Map.of()))
                .hasMessage("--drain-timeout: 'soon' is not a duration (try 10s, 500ms, 5m)");
    }

    @Test
    void aRuleAcrossSettingsNamesTheSourceOfTheValueAtFault() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("ROOMCAST_MAX_MESSAGE_BYTES", "1048576")))
                .hasMessageStartingWith("ROOMCAST_MAX_MESSAGE_BYTES: must be at most half of --outbound-buffer-bytes (1048576), got 1048576");
        Path file = file("auth:\n  jwt-secret: short\n");
        assertThatThrownBy(() -> ConfigLoader.load(config(file), Map.of()))
                .hasMessage(file + ": auth.jwt-secret: must be at least 32 characters (256 bits for HS256)");
    }

    @Test
    void theMaskPrintConfigShowsIsRefusedAsASecret() throws IOException {
        Path file = file("auth:\n  api-key: '********'\n");
        assertThatThrownBy(() -> ConfigLoader.load(config(file), Map.of()))
                .hasMessageStartingWith(file + ": auth.api-key: '********' is the mask --print-config shows");
    }

    @Test
    void whatPrintConfigPrintsLoadsBackToTheSameSettings() throws IOException {
        RoomcastConfig config = RoomcastConfig.builder().port(9100).handshakeTimeout(Duration.ofMillis(1500))
                .allowedOrigins(List.of("*", "https://a.example")).historyMaxAge(Duration.ZERO)
                .redisPrefix("team-7:").clientIpHeader("X-Real-IP").build();
        assertThat(ConfigLoader.load(config(file(ConfigFile.render(config))), Map.of())).isEqualTo(config);
        for (String awkward : List.of("::", "*", "yes", "null", "~", "a #b", "- x", "123", "x: y", "'q", "\"")) {
            RoomcastConfig prefixed = RoomcastConfig.builder().redisPrefix(awkward).build();
            assertThat(ConfigLoader.load(config(file(ConfigFile.render(prefixed))), Map.of())).isEqualTo(prefixed);
        }
    }

    @Test
    void printConfigMasksSecretsAndTheBrokerPassword() {
        String yaml = ConfigFile.render(RoomcastConfig.builder().jwtSecret("s".repeat(40)).apiKey("key-123")
                .broker("redis://:hunter2@redis.internal:6379/0").build());
        assertThat(yaml).doesNotContain("s".repeat(40)).doesNotContain("key-123").doesNotContain("hunter2")
                .contains("  jwt-secret: '********'\n").contains("  api-key: '********'\n")
                .contains("  broker: redis://:********@redis.internal:6379/0\n");
    }
}
