package dev.roomcast.bench;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Runs one bench plan to the end and returns its figures: warms the client code up against a
 * server of its own, opens the client loops, drives the scenario, closes everything. Bounded: every scenario stops after its warm-up, duration and
 * drain timeout. Runs on the calling thread.
 */
public final class LoadRun {

    private LoadRun() {
    }

    /**
     * Runs {@code plan}; {@code commandLine} is recorded in the result. Returns null for a child
     * process of a {@code --procs} run, which reports on {@code out} itself.
     */
    public static BenchResult run(BenchPlan plan, String commandLine, PrintWriter out) throws Exception {
        BenchResult result = new BenchResult()
                .put("scenario", plan.scenario().name().toLowerCase(Locale.ROOT))
                .put("server", plan.server().toString())
                .put("protocol", plan.protocol().name().toLowerCase(Locale.ROOT))
                .put("clients", plan.clients())
                .put("command", commandLine);
        if (plan.scenario() == Scenario.CONNECT && plan.procs() > 1 && !plan.child()) {
            return ClientProcesses.run(plan, result.put("procs", plan.procs()));
        }
        ClientWarmup.run(plan, result);
        try (ClientPool pool = new ClientPool(plan.threads())) {
            return switch (plan.scenario()) {
                case CONNECT -> ConnectScenario.run(plan, pool, result.put("rooms", plan.rooms()), out);
                case ECHO -> EchoScenario.run(plan, pool, result.put("path", plan.echoPath() ? "/echo" : "room of one"));
                case FANOUT -> FanoutScenario.run(plan, pool, result
                        .put("rate", plan.rate() > 0 ? Double.toString(plan.rate()) : "max, window " + plan.window()));
                case CHAT -> ChatScenario.run(plan, pool, result
                        .put("room_size", plan.roomSize()).put("rate_per_client", plan.rate()));
            };
        }
    }
}
