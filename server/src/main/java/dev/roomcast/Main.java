package dev.roomcast;

import dev.roomcast.cli.RootCommand;
import java.util.Arrays;
import picocli.CommandLine;

/** Entry point: {@code roomcast [serve] [options]}; serving is the default subcommand. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(RootCommand.commandLine().execute(withDefaultSubcommand(args)));
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
