package dev.roomcast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.config.ConfigLoader;
import dev.roomcast.config.SettingSpec;
import dev.roomcast.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The README's configuration table lists every option of {@code roomcast serve} with its environment variable. */
class ReadmeTest {

    @Test
    void everyServeOptionIsInTheReadmeTableWithItsEnvironmentVariable() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        CommandLine serve = RootCommand.commandLine(config -> {
            throw new AssertionError("no node is started");
        }, Map.of()).getSubcommands().get("serve");
        int options = 0;
        for (OptionSpec option : serve.getCommandSpec().options()) {
            String flag = option.longestName();
            if (option.usageHelp() || option.versionHelp() || flag.equals("--print-config")) {
                continue;
            }
            options++;
            String env = flag.equals(ConfigLoader.CONFIG_FLAG)
                    ? ConfigLoader.CONFIG_VARIABLE : Settings.byFlag(flag).environmentVariable();
            assertThat(env).as("%s takes its default from a ROOMCAST_* variable", flag).startsWith("ROOMCAST_");
            assertThat(readme).as("README.md's Configuration table needs a row for %s", flag)
                    .contains("| `" + flag + "` | `" + env + "` |");
        }
        assertThat(options).isEqualTo(Settings.all().size() + 1);
        assertThat(Settings.all()).extracting(SettingSpec::flag).doesNotHaveDuplicates();
    }
}
