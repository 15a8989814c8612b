package dev.roomcast.cli;

import dev.roomcast.config.InvalidSetting;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code roomcast} command and its subcommands; parsing and error reporting only. Every refusal
 * is one line on stderr: exit 2 for a setting refused (an unknown flag, a bad value in a flag, an
 * environment variable or the config file), 1 when the command cannot do its work.
 *
 * <p>Threading: runs on the main thread.
 */
@Command(name = "roomcast",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "WebSocket room and broadcast server.",
        footer = "%nWithout a command, roomcast runs serve: 'roomcast serve --help' lists its options.")
public final class RootCommand implements Runnable {

    /** The node could not start or failed: the port is taken, Redis is unreachable, a TLS file is unreadable. */
    static final int EXIT_CANNOT_START = 1;
    /** A setting was refused: an unknown flag, or a bad value in a flag, an environment variable or the config file. */
    static final int EXIT_BAD_SETTING = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** The configured command line: one clear line on stderr for any bad argument. */
    public static CommandLine commandLine(ServeCommand.NodeStarter starter, Map<String, String> environment) {
        CommandLine cli = new CommandLine(new RootCommand())
                .addSubcommand(ServeCommand.commandLine(starter, environment))
                .addSubcommand(new BenchCommand())
                .addSubcommand(new CommandLine.HelpCommand());
        cli.setParameterExceptionHandler((error, args) -> {
            CommandLine failed = error.getCommandLine();
            PrintWriter err = failed.getErr();
            err.println("roomcast: " + error.getMessage() + " (see '" + failed.getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return EXIT_BAD_SETTING;
        });
        cli.setExecutionExceptionHandler((error, failed, parsed) -> {
            PrintWriter err = failed.getErr();
            err.println("roomcast: " + (error.getMessage() == null ? error.toString() : error.getMessage()));
            err.flush();
            return error instanceof InvalidSetting ? EXIT_BAD_SETTING : EXIT_CANNOT_START;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
