package dev.roomcast.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code connect --procs K}: one process holds at most about 19,900 sockets (the open-file
 * limit), so K child processes of this same jar each warm up, say they are ready, open their
 * share from their own source address (127.0.0.2, 127.0.0.3, ...) when told to go, report, and
 * hold until their standard input closes; the parent sums them and reads the server's memory
 * while they hold. The bench CPU it reports is the children's over their connecting, not their
 * JVMs' start or warm-up. Runs on the driver thread.
 */
final class ClientProcesses {

    private static final Pattern FIELD = Pattern.compile("\"(connected|failed|connect_s|cpu_s)\":([0-9.]+)");

    private ClientProcesses() {
    }

    static BenchResult run(BenchPlan plan, BenchResult result) throws Exception {
        ProcessProbe server = ProcessProbe.ofServer(plan.serverPid());
        long rssBefore = server == null ? -1 : server.rssBytes();
        List<Process> children = new ArrayList<>();
        try {
            List<BufferedReader> reports = new ArrayList<>();
            for (int i = 0; i < plan.procs(); i++) {
                int share = plan.clients() / plan.procs() + (i < plan.clients() % plan.procs() ? 1 : 0);
                Process child = new ProcessBuilder(childCommand(plan, share, "127.0.0." + (i + 2)))
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                children.add(child);
                reports.add(new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)));
            }
            // Every child has started its JVM and warmed its client code up before any connects,
            // so the window below holds the connections and nothing else.
            for (int i = 0; i < children.size(); i++) {
                nextLine(children.get(i), reports.get(i), ConnectScenario.READY::equals);
            }
            CpuMeter cpu = CpuMeter.start(server);
            for (Process child : children) {
                child.getOutputStream().write((ConnectScenario.GO + "\n").getBytes(StandardCharsets.US_ASCII));
                child.getOutputStream().flush();
            }
            long connected = 0;
            long failed = 0;
            double slowest = 0;
            double childCpu = 0;
            for (int i = 0; i < children.size(); i++) {
                String report = nextLine(children.get(i), reports.get(i), line -> line.startsWith("{"));
                connected += (long) field(report, "connected");
                failed += (long) field(report, "failed");
                slowest = Math.max(slowest, field(report, "connect_s"));
                childCpu += field(report, "cpu_s");
            }
            CpuMeter.Usage usage = cpu.stop();
            result.put("connections", connected)
                    .put("failed", failed)
                    .put("connect_s", slowest)
                    .put("connections_per_s", connected / slowest);
            new CpuMeter.Usage(usage.wallSeconds(), usage.serverSeconds(), childCpu).putInto(result, connected, "connection");
            if (server != null) {
                Thread.sleep(ConnectScenario.SETTLE.toMillis());
                ConnectScenario.putMemory(result, rssBefore, server.rssBytes(), (int) connected);
            }
            Thread.sleep(plan.duration().toMillis());
            result.put("held_s", plan.duration().toMillis() / 1000.0);
            for (Process child : children) {
                child.getOutputStream().close();
            }
            for (Process child : children) {
                if (!child.waitFor(30, TimeUnit.SECONDS)) {
                    child.destroy();
                }
            }
            return result;
        } finally {
            children.forEach(Process::destroy);
        }
    }

    private static List<String> childCommand(BenchPlan plan, int clients, String sourceAddress) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx1g");
        // C1 only: a child lives for one burst of handshakes, too short for C2's compiling to pay
        // off; with it, the compiler threads used more CPU than the handshakes they sped up.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.roomcast.Main");
        command.addAll(List.of("bench", "connect", "--child",
                "--url", plan.server().toString(),
                "--protocol", plan.protocol().name().toLowerCase(java.util.Locale.ROOT),
                "--clients", Integer.toString(clients),
                "--rooms", Integer.toString(plan.rooms()),
                "--threads", Integer.toString(plan.threads()),
                "--concurrency", Integer.toString(Math.max(1, plan.concurrency() / plan.procs())),
                "--client-warmup", Integer.toString(plan.clientWarmup()),
                "--source-address", sourceAddress,
                "--run-id", plan.runId()));
        if (plan.compression()) {
            command.add("--compression");
        }
        return command;
    }

    /** The child's next line that {@code wanted} accepts, skipping others. */
    private static String nextLine(Process child, BufferedReader lines, Predicate<String> wanted) throws IOException {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (wanted.test(line)) {
                return line;
            }
        }
        throw new IllegalStateException("client process " + child.pid() + " exited without a report");
    }

    private static double field(String json, String name) {
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new IllegalStateException("no " + name + " in client report " + json);
    }
}
