package dev.roomcast.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code chat}: C clients in rooms of K, each sending r messages/s at a random phase; every
 * member of a room, the sender included, receives each message. Latency counts from each
 * message's intended send time. Runs on the driver thread; each sender on its client's loop.
 */
final class ChatScenario {

    private static final java.time.Duration LATE = java.time.Duration.ofMillis(250);

    private ChatScenario() {
    }

    static BenchResult run(BenchPlan plan, ClientPool pool, BenchResult result) throws Exception {
        Window window = new Window();
        LongAdder expected = new LongAdder();
        LongAdder sent = new LongAdder();
        int clientsCount = plan.clients();
        int roomSize = plan.roomSize();
        BenchClient.Listener onMessage = (client, sentNanos, now) -> client.stats().record(window, sentNanos, now);
        List<BenchClient> clients = Traffic.openAll(pool, plan, clientsCount, i ->
                new BenchClient(i, "chat-" + plan.runId() + "-" + (i / roomSize), plan.protocol(), false, onMessage,
                        pool.lostCounter())).clients();
        long period = (long) (1e9 / plan.rate());
        long base = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        SplittableRandom random = new SplittableRandom(42);
        List<ScheduledFuture<?>> senders = new ArrayList<>(clients.size());
        double offered = 0;
        for (BenchClient client : clients) {
            int members = Math.min(roomSize, clientsCount - client.index() / roomSize * roomSize);
            offered += plan.rate() * members;
            long first = base + random.nextLong(period);
            long[] count = {0};
            senders.add(client.channel().eventLoop().scheduleAtFixedRate(() -> {
                client.sendNow(first + count[0]++ * period, plan.payloadBytes());
                sent.increment();
                expected.add(members);
            }, Math.max(0, first - System.nanoTime()), period, TimeUnit.NANOSECONDS));
        }
        CpuMeter.Usage usage = Traffic.measure(plan, window, Traffic.UNTIL_DURATION);
        senders.forEach(sender -> sender.cancel(false));
        LoopStats during = pool.totals();
        Traffic.await(() -> Traffic.received(pool) >= expected.sum(), plan.drainTimeout());
        LoopStats total = pool.totals();
        result.put("window_s", window.seconds())
                .put("offered_deliveries_per_s", offered)
                .put("deliveries_per_s", during.receivedInWindow / window.seconds());
        usage.putInto(result, during.receivedInWindow, "delivery");
        result.put("sent", sent.sum())
                .put("expected", expected.sum())
                .put("received", total.received)
                .put("lost", expected.sum() - total.received)
                .put("late_pct", Traffic.percentAbove(total.latencyNanos, LATE))
                .put("other_frames", total.unexpected)
                .put("closed_by_server", pool.lost());
        Traffic.putLatency(result, "latency", total.latencyNanos);
        return result;
    }
}
