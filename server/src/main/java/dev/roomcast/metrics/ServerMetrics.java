package dev.roomcast.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The node's Prometheus metrics. Counters on the delivery path are {@link LongAdder}s read at
 * scrape time, so counting a delivery costs one uncontended add and no allocation. Thread-safe.
 * docs/operations.md says what each metric means.
 */
public final class ServerMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final Counter slowConsumerCloses;
    private final Counter rateLimited;
    private final Map<UpgradeRejection, Counter> rejections = new EnumMap<>(UpgradeRejection.class);
    private final Timer deliveryLatency;

    public ServerMetrics() {
        FunctionCounter.builder("roomcast.messages.in", messagesIn, LongAdder::doubleValue)
                .description("Messages accepted from clients").register(registry);
        FunctionCounter.builder("roomcast.deliveries", deliveries, LongAdder::doubleValue)
                .description("Room events queued to client connections").register(registry);
        FunctionCounter.builder("roomcast.bytes.out", bytesOut, LongAdder::doubleValue)
                .description("Bytes of room-event frames queued to client connections").baseUnit("bytes")
                .register(registry);
        slowConsumerCloses = Counter.builder("roomcast.slow.consumer.closes")
                .description("Connections closed with 1013 because they did not read fast enough").register(registry);
        rateLimited = Counter.builder("roomcast.rate.limited.messages")
                .description("Client messages dropped by the per-connection rate limit").register(registry);
        deliveryLatency = latency(Timer.builder("roomcast.delivery.latency")
                .description("From a live event reaching the hub to its frame being flushed to members' sockets; "
                        + "one sample per event-loop batch: the batch's oldest event"));
        for (UpgradeRejection reason : UpgradeRejection.values()) {
            rejections.put(reason, Counter.builder("roomcast.upgrades.rejected").tag("reason", reason.tag())
                    .description("WebSocket upgrades refused before the handshake").register(registry));
        }
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** Reports the node's live sizes: open WebSocket connections and rooms with local members. */
    public void bindSizes(IntSupplier connections, IntSupplier rooms) {
        Gauge.builder("roomcast.connections", connections::getAsInt)
                .description("Open WebSocket connections").register(registry);
        Gauge.builder("roomcast.rooms", rooms::getAsInt)
                .description("Rooms with members on this node").register(registry);
    }

    /**
     * A timer with the Prometheus buckets of a latency, and a p50 and p99 over about the last minute for
     * {@code GET /v1/stats}, which need no scrape history.
     */
    private Timer latency(Timer.Builder timer) {
        return timer.serviceLevelObjectives(LATENCY_BUCKETS)
                .publishPercentiles(0.5, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .distributionStatisticBufferLength(3)
                .register(registry);
    }

    /** Latency buckets from 100 µs to 5 s, about 2.5 apart: enough to see a p99 move, few enough series. */
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
            Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)};

    /** One event-loop batch of live room events was flushed; the oldest had waited {@code nanos}. */
    public void deliveryBatchFlushed(long nanos) {
        deliveryLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void messageIn() {
        messagesIn.increment();
    }

    /** One room event of {@code bytes} frame bytes queued to one connection. */
    public void delivered(int bytes) {
        deliveries.increment();
        bytesOut.add(bytes);
    }

    public void slowConsumerClosed() {
        slowConsumerCloses.increment();
    }

    public void rateLimited() {
        rateLimited.increment();
    }

    public void upgradeRejected(UpgradeRejection reason) {
        rejections.get(reason).increment();
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
