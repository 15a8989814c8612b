package dev.roomcast.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roomcast.cli.RootCommand;
import dev.roomcast.room.PresenceMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code namespaces:} section (read, refused with the file and key, printed back) and the former
 * name of {@code --max-payload-bytes}, still accepted as flag, variable and file key.
 */
class NamespacesConfigTest {

    @TempDir
    Path dir;

    private RoomcastConfig load(String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve("roomcast.yml"), yaml);
        return ConfigLoader.load(Map.of(ConfigLoader.CONFIG_FLAG, file.toString()), Map.of());
    }

    private String refusal(String yaml) {
        return assertThatThrownBy(() -> load(yaml)).isInstanceOf(InvalidSetting.class).actual().getMessage();
    }

    @Test
    void aRoomIsInTheNamespaceBeforeItsFirstColon() throws IOException {
        Namespaces namespaces = load("namespaces:\n  notify:\n    publish: api\n  a:\n    presence: false\n").namespaces();
        assertThat(Namespaces.nameOf("notify:alice:inbox")).isEqualTo("notify");
        assertThat(Namespaces.nameOf("lobby")).isEmpty();
        assertThat(namespaces.of("notify:alice:inbox").publish()).isEqualTo(Namespace.Publish.API);
        assertThat(namespaces.of("notify")).isEqualTo(Namespace.DEFAULT);
        assertThat(namespaces.of("a:b").presence()).isEqualTo(PresenceMode.OFF);
        assertThat(namespaces.of("ab:c")).isEqualTo(Namespace.DEFAULT);
    }

    @Test
    void everyKeyIsOptionalAndTheHistoryOverridesAreCheckedLikeTheSettings() throws IOException {
        RoomcastConfig config = load("namespaces:\n  empty:\n  some:\n    history:\n      history-max-age: 10m\n");
        assertThat(config.namespaces().of("empty:x")).isEqualTo(Namespace.DEFAULT);
        assertThat(config.namespaces().of("some:x")).isEqualTo(
                new Namespace(Namespace.Publish.MEMBERS, PresenceMode.FULL, false, null, Duration.ofMinutes(10), Namespace.SlowConsumer.DISCONNECT, null));
        assertThat(refusal("namespaces:\n  n:\n    history:\n      history-size: -1\n"))
                .endsWith("namespaces.n.history.history-size: must be between 0 and 1000000, got -1");
        assertThat(refusal("namespaces:\n  n:\n    history:\n      history-max-bytes: 5\n"))
                .endsWith("namespaces.n.history.history-max-bytes: unknown key (a namespace's history has history-size,"
                        + " history-max-age)");
    }

    @Test
    void presenceIsFullCountOrOffAndTheFormerTrueAndFalseMeanFullAndOff() throws IOException {
        RoomcastConfig config = load("namespaces:\n  a:\n    presence: full\n  b:\n    presence: count\n  c:\n    presence: OFF\n"
                + "  d:\n    presence: true\n  e:\n    presence: false\n");
        Namespaces namespaces = config.namespaces();
        assertThat(namespaces.of("a:x").presence()).isEqualTo(PresenceMode.FULL);
        assertThat(namespaces.of("b:x").presence()).isEqualTo(PresenceMode.COUNT);
        assertThat(namespaces.of("c:x").presence()).isEqualTo(PresenceMode.OFF);
        assertThat(namespaces.of("d:x").presence()).isEqualTo(PresenceMode.FULL);
        assertThat(namespaces.of("e:x").presence()).isEqualTo(PresenceMode.OFF);
        assertThat(Namespace.DEFAULT.presence()).isEqualTo(PresenceMode.FULL);
        assertThat(ConfigFile.render(config)).contains("  b:\n    publish: members\n    presence: count\n",
                "  e:\n    publish: members\n    presence: off\n");
        assertThat(refusal("namespaces:\n  n:\n    presence: 1\n")).contains("namespaces.n.presence: must be full, count or off");
    }

    @Test
    void hookUrlsAreReadPrintedAndRefusedWhenNotHttp() throws IOException {
        RoomcastConfig config = load("namespaces:\n  vip:\n    join-hook: http://127.0.0.1:9/join\n"
                + "    publish-hook: https://app.example/publish\n");
        Namespace vip = config.namespaces().of("vip:lounge");
        assertThat(vip.joinHook()).isEqualTo("http://127.0.0.1:9/join");
        assertThat(vip.publishHook()).isEqualTo("https://app.example/publish");
        assertThat(ConfigFile.render(config)).contains("    join-hook: http://127.0.0.1:9/join\n",
                "    publish-hook: https://app.example/publish\n");
        assertThat(refusal("namespaces:\n  n:\n    join-hook: ftp://app/join\n"))
                .contains("namespaces.n.join-hook: must be an http:// or https:// URL, got ftp://app/join");
    }

    @Test
    void aWrongKeyOrValueIsRefusedWithTheFileAndKey() {
        assertThat(refusal("namespaces:\n  n:\n    publish: backend\n"))
                .contains("roomcast.yml: namespaces.n.publish: must be members, api or none, got \"backend\"");
        assertThat(refusal("namespaces:\n  n:\n    presence: yes please\n"))
                .contains("namespaces.n.presence: must be full, count or off (true and false mean full and off), got \"yes please\"");
        assertThat(refusal("namespaces:\n  n:\n    colour: blue\n"))
                .contains("namespaces.n.colour: unknown key (a namespace has publish, presence, anonymous-join, history,"
                        + " slow-consumer, compression, join-hook, publish-hook)");
        assertThat(refusal("namespaces:\n  n:\n    compression: gzip\n")).contains("namespaces.n.compression: must be true or false");
        assertThat(refusal("namespaces:\n  n:\n    slow-consumer: wait\n"))
                .contains("namespaces.n.slow-consumer: must be disconnect, drop_oldest or conflate, got \"wait\"");
        assertThat(refusal("namespaces:\n  $sys:\n    publish: api\n")).contains("namespaces.$sys: a namespace is the part");
        assertThat(refusal("namespaces:\n  default:\n    publish: api\n"))
                .contains("namespaces.default: 'default' is reserved: it labels the metrics of the rooms no entry names");
        assertThat(refusal("namespaces:\n  - notify\n")).contains("namespaces must be a mapping");
    }

    @Test
    void printConfigShowsTheNamespacesItLoaded() throws IOException {
        RoomcastConfig config = load("namespaces:\n  notify:\n    publish: api\n    history:\n      history-size: 20\n"
                + "  game:\n    presence: false\n    slow-consumer: Conflate\n    compression: true\n");
        assertThat(config.namespaces().of("game:1").slowConsumer()).isEqualTo(Namespace.SlowConsumer.CONFLATE);
        assertThat(config.namespaces().of("game:1").compresses(false)).isTrue();
        assertThat(config.namespaces().of("notify:1").compresses(false)).as("--compression decides").isFalse();
        String printed = ConfigFile.render(config);
        assertThat(printed).endsWith("""

                namespaces:
                  game:
                    publish: members
                    presence: off
                    anonymous-join: false
                    slow-consumer: conflate
                    compression: true
                  notify:
                    publish: api
                    presence: full
                    anonymous-join: false
                    slow-consumer: disconnect
                    history:
                      history-size: 20
                """);
        assertThat(load(printed)).isEqualTo(config);
        assertThat(ConfigFile.render(RoomcastConfig.defaults())).doesNotContain("namespaces");
    }

    @Test
    void theFormerNameOfMaxPayloadBytesIsStillAcceptedEverywhere() throws IOException {
        assertThat(ConfigLoader.load(Map.of(), Map.of("ROOMCAST_MAX_TEXT_BYTES", "100")).limits().maxPayloadBytes())
                .isEqualTo(100);
        assertThat(ConfigLoader.load(Map.of(), Map.of("ROOMCAST_MAX_TEXT_BYTES", "100", "ROOMCAST_MAX_PAYLOAD_BYTES", "200"))
                .limits().maxPayloadBytes()).isEqualTo(200);
        assertThat(load("limits:\n  max-text-bytes: 300\n").limits().maxPayloadBytes()).isEqualTo(300);
        assertThat(load("limits:\n  max-payload-bytes: 400\n").limits().maxPayloadBytes()).isEqualTo(400);
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Map.of("ROOMCAST_MAX_TEXT_BYTES", "0")))
                .hasMessage("ROOMCAST_MAX_TEXT_BYTES: must be between 1 and 67108864, got 0");

        StringWriter out = new StringWriter();
        var cli = RootCommand.commandLine(node -> {
            throw new AssertionError("--print-config starts no node");
        }, Map.of());
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("serve", "--max-text-bytes", "500", "--print-config")).isZero();
        assertThat(out.toString()).contains("\n  max-payload-bytes: 500\n");
    }
}
