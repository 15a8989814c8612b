package dev.roomcast.bench;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code echo}: N clients, each alone in its room (or on {@code /echo}), each sending its next
 * message as soon as its previous one comes back. Runs on the driver thread; clients on their loops.
 */
final class EchoScenario {

    private EchoScenario() {
    }

    static BenchResult run(BenchPlan plan, ClientPool pool, BenchResult result) throws Exception {
        Window window = new Window();
        // Incremented by every client loop at once: striped, so the loops do not contend for one counter.
        LongAdder sent = new LongAdder();
        int bytes = plan.payloadBytes();
        BenchClient.Listener next = (client, sentNanos, now) -> {
            client.stats().record(window, sentNanos, now);
            if (!window.closed()) {
                sent.increment();
                client.sendNow(System.nanoTime(), bytes);
            }
        };
        List<BenchClient> clients = Traffic.openAll(pool, plan, plan.clients(), i ->
                new BenchClient(i, "echo-" + plan.runId() + "-" + i, plan.protocol(), plan.echoPath(), next,
                        pool.lostCounter())).clients();
        for (BenchClient client : clients) {
            client.channel().eventLoop().execute(() -> {
                sent.increment();
                client.sendNow(System.nanoTime(), bytes);
            });
        }
        CpuMeter.Usage usage = Traffic.measure(plan, window, Traffic.UNTIL_DURATION);
        LoopStats during = pool.totals();
        Traffic.await(() -> Traffic.received(pool) >= sent.sum(), plan.drainTimeout());
        LoopStats total = pool.totals();
        result.put("window_s", window.seconds())
                .put("messages_per_s", during.receivedInWindow / window.seconds());
        usage.putInto(result, during.receivedInWindow, "message");
        result
                .put("sent", sent.sum())
                .put("received", total.received)
                .put("lost", sent.sum() - total.received)
                .put("other_frames", total.unexpected)
                .put("closed_by_server", pool.lost());
        Traffic.putLatency(result, "rtt", total.latencyNanos);
        return result;
    }
}
