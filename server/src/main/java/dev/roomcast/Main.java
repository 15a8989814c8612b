package dev.roomcast;

import dev.roomcast.cli.RootCommand;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * Entry point: {@code roomcast [serve] [options]}; serving is the default subcommand. Hands the CLI
 * {@link Roomcast#start}, so the root package depends on {@code cli} and never the reverse.
 *
 * <p>Threading: the main thread.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(withDefaultSubcommand(args)));
    }

    /** The program's command line, with the process environment. */
    public static CommandLine commandLine() {
        return RootCommand.commandLine(Roomcast::start, System.getenv());
    }

    /** {@code roomcast --port 9000} means {@code roomcast serve --port 9000}. */
    static String[] withDefaultSubcommand(String[] args) {
        boolean rootOption = args.length > 0
                && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("--version") || args[0].equals("-V"));
        boolean subcommand = args.length > 0 && !args[0].startsWith("-");
        if (rootOption || subcommand) {
            return args;
        }
        String[] serve = new String[args.length + 1];
        serve[0] = "serve";
        System.arraycopy(args, 0, serve, 1, args.length);
        return Arrays.copyOf(serve, serve.length);
    }
}
