package dev.roomcast.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code roomcast} command and its subcommands; parsing and error reporting only. */
@Command(name = "roomcast",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "WebSocket room and broadcast server.",
        footer = "%nWithout a command, roomcast runs serve: 'roomcast serve --help' lists its options.",
        subcommands = {ServeCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class RootCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** The configured command line: one clear line on stderr for any bad argument. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new RootCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((error, args) -> {
            CommandLine failed = error.getCommandLine();
            PrintWriter err = failed.getErr();
            err.println("roomcast: " + error.getMessage() + " (see '" + failed.getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return 2;
        });
        cli.setExecutionExceptionHandler((error, failed, parsed) -> {
            PrintWriter err = failed.getErr();
            err.println("roomcast: " + (error.getMessage() == null ? error.toString() : error.getMessage()));
            err.flush();
            return 1;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
