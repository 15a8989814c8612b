package dev.roomcast.bench;

import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code fanout}: S members of one room; member 0 also publishes, at a fixed rate or as fast as
 * a window of messages in flight allows, up to {@code messages} when bounded. Every member, the
 * publisher included, receives each message. With {@code slowMembers}, members 1..K stop reading
 * once joined: they are left out of every count, and at the end the run reports how many the
 * server closed with 1013, how many megabytes were broadcast and how far the server's memory grew
 * meanwhile. Runs on the driver thread; the publisher on its client's loop.
 */
final class FanoutScenario {

    private static final double BYTES_PER_MB = 1e6;

    private FanoutScenario() {
    }

    static BenchResult run(BenchPlan plan, ClientPool pool, BenchResult result) throws Exception {
        Window window = new Window();
        AtomicLong sent = new AtomicLong();
        int members = plan.clients();
        int readers = members - plan.slowMembers();
        Deliveries delivered = new Deliveries(members, readers);
        Publisher[] publisher = new Publisher[1];
        BenchClient.Listener onMessage = (client, sentNanos, now) -> {
            client.stats().record(window, sentNanos, now);
            delivered.add(client);
            if (client.index() == 0) {
                publisher[0].pump();
            }
        };
        BenchClient.Listener uncounted = (client, sentNanos, now) -> { };
        String room = "fan-" + plan.runId();
        List<BenchClient> clients = Traffic.openAll(pool, plan, members, i ->
                isSlow(plan, i)
                        ? new BenchClient(i, room, plan.protocol(), false, uncounted, pool.lostCounter()).stopReadingOnceOpen()
                        : new BenchClient(i, room, plan.protocol(), false, onMessage,
                                delivered.onLost(i, pool.lostCounter()))).clients();
        List<BenchClient> slow = clients.subList(1, 1 + plan.slowMembers());
        RssSampler rss = RssSampler.start(ProcessProbe.ofServer(plan.serverPid()));
        publisher[0] = new Publisher(clients.get(0), plan, window, sent, delivered);
        publisher[0].start();
        long bound = plan.messages();
        CpuMeter.Usage usage = Traffic.measure(plan, window,
                () -> bound > 0 && sent.get() >= bound && delivered.reachedAll(bound));
        LoopStats during = pool.totals();
        Traffic.await(() -> delivered.reachedAll(sent.get()), plan.drainTimeout());
        LoopStats total = pool.totals();
        long expected = sent.get() * readers;
        result.put("window_s", window.seconds())
                .put("deliveries_per_s", during.receivedInWindow / window.seconds())
                .put("messages_per_s", during.receivedInWindow / (double) members / window.seconds());
        usage.putInto(result, during.receivedInWindow, "delivery");
        result.put("published", sent.get())
                .put("broadcast_mb", sent.get() * (double) plan.payloadBytes() / BYTES_PER_MB)
                .put("expected", expected)
                .put("received", total.received)
                .put("lost", expected - total.received)
                .put("other_frames", total.unexpected)
                .put("closed_by_server", clients.stream()
                        .filter(client -> !isSlow(plan, client.index()) && !client.channel().isActive()).count());
        Traffic.putLatency(result, "latency", total.latencyNanos);
        if (rss != null) {
            rss.putInto(result);
        }
        if (!slow.isEmpty()) {
            putSlowMembers(result, slow, plan.drainTimeout());
        }
        return result;
    }

    private static boolean isSlow(BenchPlan plan, int index) {
        return index >= 1 && index <= plan.slowMembers();
    }

    /** Lets the slow members read again and counts how the server closed them. */
    private static void putSlowMembers(BenchResult result, List<BenchClient> slow, java.time.Duration timeout)
            throws InterruptedException {
        slow.forEach(client -> client.channel().config().setAutoRead(true));
        Traffic.await(() -> slow.stream().noneMatch(client -> client.channel().isActive()), timeout);
        long closedSlow = slow.stream().filter(client -> client.closeCode() == 1013).count();
        long stillOpen = slow.stream().filter(client -> client.channel().isActive()).count();
        // Closed without a 1013 frame: typically cut by the server before the member, reading
        // again only now, could reach the close frame queued behind the data it had not read.
        result.put("slow_members", slow.size())
                .put("slow_closed_1013", closedSlow)
                .put("slow_closed_otherwise", slow.size() - closedSlow - stillOpen)
                .put("slow_still_open", stillOpen);
    }

    /**
     * Bench messages received by the reading members that are still open: what the publisher's
     * window and the end of the run wait on. A reader the server closes takes its deliveries
     * out with it, so the members left are not held back waiting for one that will never read
     * again. Thread-safe: a striped counter and an atomic, bumped by every client loop at once;
     * each member's own count is confined to its loop.
     */
    private static final class Deliveries {
        private final LongAdder toOpenReaders = new LongAdder();
        private final long[] receivedBy;
        private final AtomicInteger openReaders;

        Deliveries(int members, int readers) {
            this.receivedBy = new long[members];
            this.openReaders = new AtomicInteger(readers);
        }

        /** Counts one message received by {@code reader}; on its loop. */
        void add(BenchClient reader) {
            receivedBy[reader.index()]++;
            toOpenReaders.increment();
        }

        /** What runs when reader {@code index}'s open connection closes: {@code alsoRun}, then forgets the reader. */
        Runnable onLost(int index, Runnable alsoRun) {
            return () -> {
                alsoRun.run();
                openReaders.decrementAndGet();
                toOpenReaders.add(-receivedBy[index]);
            };
        }

        /** Messages received by the average open reader. */
        long perOpenReader() {
            return toOpenReaders.sum() / Math.max(1, openReaders.get());
        }

        /** Whether every open reader has received {@code messages} (or all readers are gone). */
        boolean reachedAll(long messages) {
            return toOpenReaders.sum() >= messages * openReaders.get();
        }
    }

    /**
     * Member 0's publishing: at a fixed rate (latency counted from each message's intended send
     * time, so a stalled publisher cannot hide a slow server), or as fast as a window of
     * messages in flight allows. Confined to the publisher's loop.
     */
    private static final class Publisher {
        private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

        private final BenchClient client;
        private final double rate;
        /** Messages to send at most; Long.MAX_VALUE when unbounded. */
        private final long limit;
        private final long inFlightLimit;
        private final int bytes;
        private final Window window;
        private final AtomicLong sent;
        private final Deliveries delivered;
        private long startNanos;
        private ScheduledFuture<?> ticks;

        Publisher(BenchClient client, BenchPlan plan, Window window, AtomicLong sent, Deliveries delivered) {
            this.client = client;
            this.rate = plan.rate();
            this.limit = plan.messages() > 0 ? plan.messages() : Long.MAX_VALUE;
            this.inFlightLimit = plan.window();
            this.bytes = plan.payloadBytes();
            this.window = window;
            this.sent = sent;
            this.delivered = delivered;
        }

        void start() {
            long period = rate > 0 ? Math.max(MIN_TICK_NANOS, (long) (1e9 / rate)) : MIN_TICK_NANOS;
            client.channel().eventLoop().execute(() -> {
                startNanos = System.nanoTime();
                ticks = client.channel().eventLoop().scheduleAtFixedRate(this::tick, 0, period, TimeUnit.NANOSECONDS);
            });
        }

        private void tick() {
            if (window.closed() || sent.get() >= limit) {
                ticks.cancel(false);
            } else if (rate > 0) {
                sendDue();
            } else {
                pump();
            }
        }

        private void sendDue() {
            long due = Math.min(limit, (long) ((System.nanoTime() - startNanos) * rate / 1e9) + 1);
            long count = sent.get();
            if (count >= due) {
                return;
            }
            for (; count < due; count++) {
                client.send(startNanos + (long) (count * 1e9 / rate), bytes);
            }
            sent.set(count);
            client.flush();
        }

        /**
         * Window mode: tops the messages in flight (sent minus received by the average open
         * reader) up to the limit.
         */
        void pump() {
            if (rate > 0 || window.closed() || ticks == null) {
                return;
            }
            long count = sent.get();
            long inFlight = count - delivered.perOpenReader();
            if (inFlight >= inFlightLimit || count >= limit) {
                return;
            }
            for (; inFlight < inFlightLimit && count < limit; inFlight++, count++) {
                client.send(System.nanoTime(), bytes);
            }
            sent.set(count);
            client.flush();
        }
    }
}
