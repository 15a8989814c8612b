package dev.roomcast.metrics;

import dev.roomcast.hub.CloseReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
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
    private final Map<CloseReason, Counter> closes = new EnumMap<>(CloseReason.class);

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
        for (UpgradeRejection reason : UpgradeRejection.values()) {
            rejections.put(reason, Counter.builder("roomcast.upgrades.rejected").tag("reason", reason.tag())
                    .description("WebSocket upgrades refused before the handshake").register(registry));
        }
        for (CloseReason reason : CloseReason.values()) {
            closes.put(reason, Counter.builder("roomcast.websocket.closes")
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .description("WebSocket connections closed, by why").register(registry));
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

    public void messageIn() {
        messagesIn.increment();
    }

    /** One room event of {@code bytes} frame bytes queued to one connection. */
    public void delivered(int bytes) {
        deliveries.increment();
        bytesOut.add(bytes);
    }

    /** A WebSocket began to close for {@code reason}; once per connection. */
    public void webSocketClosed(CloseReason reason) {
        closes.get(reason).increment();
        if (reason == CloseReason.SLOW_CONSUMER) {
            slowConsumerCloses.increment();
        }
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
