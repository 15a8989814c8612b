package dev.roomcast.cli;

import dev.roomcast.config.ConfigFile;
import dev.roomcast.config.ConfigLoader;
import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.config.SettingSpec;
import dev.roomcast.config.Settings;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code roomcast serve}: flags, environment variables and a config file to a {@link RoomcastConfig}
 * ({@link ConfigLoader} says which wins), then runs the node until SIGTERM or SIGINT, which drain it
 * and exit 0. Its setting flags are made from {@link Settings}, not written here.
 *
 * <p>Threading: runs on the main thread; the drain runs on the JVM's signal thread.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = "Serve the chat page, the WebSocket endpoints and the HTTP API (the default command).",
        footer = {"%nEach setting is taken from its flag, else its environment variable, else the config file, else its default.",
                "Exit codes: 0 after a drain; 1 when the node cannot start (port taken, Redis unreachable);"
                        + " 2 for a setting refused (unknown flag, bad value in a flag, variable or file)."})
public final class ServeCommand implements Callable<Integer> {

    /** Starts a node from its settings; {@code Main} passes {@code Roomcast::start}, so cli never imports the root package. */
    @FunctionalInterface
    public interface NodeStarter {
        RunningNode start(RoomcastConfig config) throws BindException;
    }

    /** What serve needs of a started node. */
    public interface RunningNode {
        int port();

        /** Closes every socket with 1001, waits up to {@code timeout}, stops; returns the sockets left open. */
        int drain(Duration timeout);
    }

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @CommandLine.Spec
    private CommandSpec spec;

    @Option(names = ConfigLoader.CONFIG_FLAG, paramLabel = "FILE",
            description = "YAML file of settings in groups, as --print-config prints them (conf/roomcast.example.yml)"
                    + " (env " + ConfigLoader.CONFIG_VARIABLE + ").")
    private String configFile;

    @Option(names = "--print-config",
            description = "Print the effective settings as a config file, secrets masked, and exit.")
    private boolean printConfig;

    private final NodeStarter starter;
    private final Map<String, String> environment;

    private ServeCommand(NodeStarter starter, Map<String, String> environment) {
        this.starter = starter;
        this.environment = environment;
    }

    /** The serve command with one option per setting, reading settings from {@code environment}. */
    static CommandLine commandLine(NodeStarter starter, Map<String, String> environment) {
        CommandLine serve = new CommandLine(new ServeCommand(starter, environment));
        for (SettingSpec setting : Settings.all()) {
            String defaultText = setting.defaultText() == null ? "unset" : setting.defaultText();
            List<String> names = new ArrayList<>(List.of(setting.flag()));
            names.addAll(setting.aliases());
            serve.getCommandSpec().addOption(OptionSpec.builder(names.toArray(String[]::new))
                    .paramLabel("<" + setting.component().getName() + ">")
                    .type(String.class)
                    .description(setting.help() + " (env " + setting.environmentVariable() + ", default " + defaultText + ")")
                    .build());
        }
        return serve;
    }

    @Override
    public Integer call() throws Exception {
        RoomcastConfig config = ConfigLoader.load(givenFlags(), environment);
        if (printConfig) {
            spec.commandLine().getOut().print(ConfigFile.render(config));
            spec.commandLine().getOut().flush();
            return 0;
        }
        LogFormats.apply(config.observability().logFormat());
        RunningNode node;
        try {
            node = starter.start(config);
        } catch (BindException e) {
            System.err.println("roomcast: cannot listen on " + config.network().host() + ":" + config.network().port() + ": "
                    + (e.getMessage() == null ? "address unavailable" : e.getMessage()));
            return RootCommand.EXIT_CANNOT_START;
        }
        System.err.println("Roomcast serving " + (config.network().tlsEnabled() ? "https" : "http") + "://"
                + hostForUrl(config.network().host()) + ":" + node.port() + "/");
        Duration drainTimeout = config.network().drainTimeout();
        CountDownLatch stopped = new CountDownLatch(1);
        SignalHandler drain = signal -> {
            log.info("SIG{}: draining (up to {} ms)", signal.getName(), drainTimeout.toMillis());
            node.drain(drainTimeout); // the node logs the drain's summary, with any sockets left open
            stopped.countDown();
        };
        Signal.handle(new Signal("TERM"), drain);
        Signal.handle(new Signal("INT"), drain);
        stopped.await();
        return 0;
    }

    /** The text of each setting flag on the command line, and of {@code --config}. */
    private Map<String, String> givenFlags() {
        Map<String, String> flags = new HashMap<>();
        for (SettingSpec setting : Settings.all()) {
            String given = spec.findOption(setting.flag()).getValue();
            if (given != null) {
                flags.put(setting.flag(), given);
            }
        }
        if (configFile != null) {
            flags.put(ConfigLoader.CONFIG_FLAG, configFile);
        }
        return flags;
    }

    private static String hostForUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
