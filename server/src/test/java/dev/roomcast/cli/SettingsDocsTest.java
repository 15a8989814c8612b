package dev.roomcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.config.SettingSpec;
import dev.roomcast.config.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The settings table of README.md and docs/operations.md, and {@code roomcast serve --help}, are
 * made from the {@code @Setting} declarations: docs and defaults cannot drift apart.
 */
class SettingsDocsTest {

    /** The table both documents carry, one row per setting in declaration order. */
    static String settingsTable() {
        StringBuilder table = new StringBuilder("| flag | environment variable | file key | default | what it does |\n")
                .append("|---|---|---|---|---|\n");
        for (SettingSpec setting : Settings.all()) {
            table.append("| `").append(setting.flag()).append("` | `").append(setting.environmentVariable())
                    .append("` | `").append(setting.key()).append("` | ")
                    .append(setting.defaultText() == null ? "unset" : "`" + setting.defaultText() + "`")
                    .append(" | ").append(setting.help()).append(" |\n");
        }
        return table.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"README.md", "docs/operations.md"})
    void theSettingsTableIsMadeFromTheDeclarations(String document) throws IOException {
        assertThat(Files.readString(Path.of("..", document)))
                .as("%s needs the settings table as the @Setting declarations make it:%n%s", document, settingsTable())
                .contains(settingsTable());
    }

    @Test
    void serveHelpShowsEverySettingWithItsVariableAndDefault() {
        StringWriter out = new StringWriter();
        CommandLine cli = RootCommand.commandLine(config -> {
            throw new AssertionError("help starts no node");
        }, Map.of());
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("serve", "--help")).isZero();
        String help = out.toString().replaceAll("\\s+", "");
        for (SettingSpec setting : Settings.all()) {
            String defaultText = setting.defaultText() == null ? "unset" : setting.defaultText();
            assertThat(help).contains(setting.flag() + "=<" + setting.component().getName() + ">")
                    .contains((setting.help() + " (env " + setting.environmentVariable()
                            + ", default " + defaultText + ")").replaceAll("\\s+", ""));
        }
        assertThat(help).contains("--config=FILE").contains("--print-config");
    }
}
