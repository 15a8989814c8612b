package dev.roomcast.cli;

import dev.roomcast.bench.BenchPlan;
import dev.roomcast.bench.BenchResult;
import dev.roomcast.bench.LoadRun;
import dev.roomcast.bench.Scenario;
import dev.roomcast.bench.WireProtocol;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roomcast bench SCENARIO}: flags to a {@link BenchPlan}, runs it with {@link LoadRun}
 * and prints the exact command line and the figures, as a table or one JSON object.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Load-test a WebSocket server that speaks the seed protocol (/ws/{room}, /echo) or /v1/ws.",
                "Scenarios:",
                "  connect  N idle connections across R rooms, held for --duration: rate, server RSS per connection",
                "  echo     N clients each alone in a room (or --echo-path), closed loop: messages/s, round trip",
                "  fanout   N members of one room, one publishing at --rate (0: as fast as --window allows),",
                "           at most --messages; --slow K of them stop reading, to show the slow-consumer bound",
                "  chat     N clients in rooms of --room-size, each sending --rate messages/s"},
        sortOptions = false, showDefaultValues = true)
public final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCENARIO", description = "connect, echo, fanout or chat.")
    String scenario;

    @Option(names = "--url", defaultValue = "ws://127.0.0.1:8000", description = "Server to load (loopback by default).")
    URI url;

    @Option(names = "--protocol", defaultValue = "seed", description = "seed (/ws/{room}, plain text) or json (/v1/ws).")
    String protocol;

    @Option(names = {"-n", "--clients"}, defaultValue = "100",
            description = "Connections (connect, echo, chat) or room members including the publisher (fanout).")
    int clients;

    @Option(names = "--rooms", defaultValue = "10", description = "connect: rooms the connections are spread over.")
    int rooms;

    @Option(names = "--room-size", defaultValue = "50", description = "chat: members per room.")
    int roomSize;

    @Option(names = "--rate", defaultValue = "0",
            description = "fanout: publisher messages/s, 0 = as fast as the window allows; chat: messages/s per client.")
    double rate;

    @Option(names = "--window", defaultValue = "64", description = "fanout at rate 0: messages in flight at most.")
    int window;

    @Option(names = "--slow", defaultValue = "0",
            description = "fanout: members that stop reading once joined (the server should close them with 1013).")
    int slow;

    @Option(names = "--messages", defaultValue = "0",
            description = "fanout: messages to publish at most; the window ends early once all are delivered. 0 = no bound.")
    long messages;

    @Option(names = "--payload", defaultValue = "32", description = "Bytes of text per message (24 to 60000).")
    int payload;

    @Option(names = "--echo-path", description = "echo: use /echo instead of a room of one per client.")
    boolean echoPath;

    @Option(names = "--compression",
            description = "Clients offer permessage-deflate and inflate what the server compresses (server: --compression true).")
    boolean compression;

    @Option(names = "--warmup", defaultValue = "2s", converter = DurationConverter.class,
            description = "Traffic before the measured window.")
    Duration warmup;

    @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class,
            description = "Measured window, or how long connect holds its connections.")
    Duration duration;

    @Option(names = "--drain-timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to wait for messages still in flight after the window.")
    Duration drainTimeout;

    @Option(names = "--threads", defaultValue = "0", description = "Client event loops; 0 = one per core.")
    int threads;

    @Option(names = "--concurrency", defaultValue = "256", description = "Handshakes in flight at once.")
    int concurrency;

    @Option(names = "--client-warmup", defaultValue = "2000",
            description = "Handshakes (and a few messages each) against a loopback server inside the bench before it "
                    + "connects to --url, so the client's code is compiled when measured; 0 = none.")
    int clientWarmup;

    @Option(names = "--server-pid", defaultValue = "0",
            description = "The server's pid, to report its CPU seconds and resident memory (from /proc).")
    long serverPid;

    @Option(names = "--procs", defaultValue = "1",
            description = "connect: client processes; each connects from its own 127.0.0.x (one holds < 19,900 sockets).")
    int procs;

    @Option(names = "--source-address", description = "Local address to connect from.")
    String sourceAddress;

    @Option(names = "--run-id", description = "Suffix that makes room names unique; random by default.")
    String runId;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--child", hidden = true, description = "Internal: a client process of a --procs run.")
    boolean child;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String commandLine = commandLine();
        BenchPlan plan = toPlan();
        if (!json && !child) {
            out.println("$ " + commandLine);
            out.flush();
        }
        BenchResult result = LoadRun.run(plan, commandLine, out);
        if (result != null) {
            out.print(json ? result.toJson() + System.lineSeparator() : result.toTable());
        }
        out.flush();
        return 0;
    }

    BenchPlan toPlan() {
        return new BenchPlan(
                parse(Scenario.class, scenario, "scenario"),
                url,
                parse(WireProtocol.class, protocol, "protocol"),
                clients, rooms, roomSize, rate, window, slow, messages, payload, echoPath, compression,
                warmup, duration, drainTimeout,
                threads > 0 ? threads : Runtime.getRuntime().availableProcessors(),
                concurrency, clientWarmup, serverPid, procs, sourceAddress,
                runId != null ? runId : Long.toString(System.nanoTime() & 0xFFFFFFFL, 36),
                child);
    }

    /** The exact command as typed, quoted where a shell would need it. */
    private String commandLine() {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        return "roomcast " + args.stream()
                .map(a -> a.matches("[A-Za-z0-9_./:=@%+,-]+") ? a : "'" + a.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }

    private <E extends Enum<E>> E parse(Class<E> type, String value, String what) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown " + what + " '" + value + "'");
        }
    }
}
