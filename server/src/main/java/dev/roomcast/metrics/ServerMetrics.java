package dev.roomcast.metrics;

import dev.roomcast.broker.redis.RedisObserver;
import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.hooks.Hook;
import dev.roomcast.hooks.HookObserver;
import dev.roomcast.hooks.HookOutcome;
import dev.roomcast.hub.CloseReason;
import dev.roomcast.webhooks.WebhookObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The node's Prometheus metrics: every meter name and tag is here, and no tag ever holds a room or
 * user name, so the number of series is fixed by the code and the config file: the per-room series
 * carry a {@code namespace} label whose values are the configured namespaces' names and
 * {@value Namespaces#DEFAULT_NAME} (see {@link NamespaceMeters}). docs/operations.md says what each
 * means (a test checks the table against this registry).
 *
 * <p>Counters on the delivery path are {@link LongAdder}s read at scrape time, so counting a
 * delivery costs one uncontended add and no allocation; the delivery latency is sampled once per
 * event-loop batch, not per delivery.
 *
 * <p>Threading: thread-safe (Micrometer meters, adders, a concurrent map of lazily made timers; the
 * namespaces' map is filled in the constructor and only read after).
 */
public final class ServerMetrics implements AutoCloseable {

    /** Latency buckets from 100 µs to 5 s, about 2.5 apart: enough to see a p99 move, few enough series. */
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
            Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)};
    /** Coarser buckets for timers with more tags (HTTP routes, Redis commands), to keep their series few. */
    private static final Duration[] COARSE_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
            Duration.ofMillis(500), Duration.ofMillis(2500)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final LongAdder messagesIn = new LongAdder();
    /** By configured namespace name; rooms of other namespaces and without one count in {@link #defaultNamespace}. */
    private final Map<String, NamespaceMeters> namespaces = new HashMap<>();
    private final NamespaceMeters defaultNamespace;
    private final Counter slowConsumerCloses;
    private final LongAdder compressedMessages = new LongAdder();
    private final Counter rateLimited;
    private final Map<UpgradeRejection, Counter> rejections = new EnumMap<>(UpgradeRejection.class);
    private final Timer deliveryLatency;
    private final Map<BrokerOperation, Counter> brokerErrors = new EnumMap<>(BrokerOperation.class);
    private final Counter directDelivered;
    private final Counter directNoSuchUser;
    private final Counter brokerReconnects;
    private final Counter brokerCatchUps;
    private final Counter brokerCatchUpMessages;
    /** Made on first use: the HTTP API's routes × statuses and Redis's command types are bounded but not listed here. */
    private final Map<String, Timer> lazyTimers = new ConcurrentHashMap<>();
    private final Map<CloseReason, Counter> closes = new EnumMap<>(CloseReason.class);
    private final Map<Namespace.SlowConsumer, Map<SlowConsumerAction, Counter>> slowConsumerActions =
            new EnumMap<>(Namespace.SlowConsumer.class);
    /** Hook calls by hook and outcome, all registered at start so a scrape shows every series at 0. */
    private final Map<Hook, Map<HookOutcome, Counter>> hookCalls = new EnumMap<>(Hook.class);
    private final Map<Hook, Timer> hookLatency = new EnumMap<>(Hook.class);
    private final Map<WebhookObserver.Outcome, Counter> webhookEvents = new EnumMap<>(WebhookObserver.Outcome.class);

    /** What a slow-consumer policy did to a connection that fell behind (docs/operations.md, "Slow consumers"). */
    public enum SlowConsumerAction {
        /** The connection was closed with 1013. */
        CLOSED,
        /** A waiting room message was dropped, oldest first. */
        DROPPED,
        /** A waiting message was replaced by a newer one of the same key. */
        REPLACED;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** @param namespaces the configured namespaces: each is a value of the {@code namespace} label */
    public ServerMetrics(Namespaces namespaces) {
        FunctionCounter.builder("roomcast.messages.in", messagesIn, LongAdder::doubleValue)
                .description("Messages accepted from clients").register(registry);
        defaultNamespace = namespaceMeters(Namespaces.DEFAULT_NAME);
        for (String name : namespaces.byName().keySet()) {
            this.namespaces.put(name, namespaceMeters(name));
        }
        FunctionCounter.builder("roomcast.compressed.messages", compressedMessages, LongAdder::doubleValue)
                .description("Room-event frames compressed for permessage-deflate members: once per broadcast and wire format")
                .register(registry);
        slowConsumerCloses = Counter.builder("roomcast.slow.consumer.closes")
                .description("Connections closed with 1013 because they did not read fast enough").register(registry);
        rateLimited = Counter.builder("roomcast.rate.limited.messages")
                .description("Client messages dropped by the per-connection rate limit").register(registry);
        for (UpgradeRejection reason : UpgradeRejection.values()) {
            rejections.put(reason, Counter.builder("roomcast.upgrades.rejected").tag("reason", reason.tag())
                    .description("WebSocket upgrades refused before the handshake").register(registry));
        }
        // The p50 and p99 over about the last minute are for snapshot(), which has no scrape history.
        deliveryLatency = Timer.builder("roomcast.delivery.latency")
                .description("From a live event reaching the hub to its frame being flushed to members' sockets; "
                        + "one sample per event-loop batch: the batch's oldest event")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .publishPercentiles(0.5, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .distributionStatisticBufferLength(3)
                .register(registry);
        for (BrokerOperation operation : BrokerOperation.values()) {
            brokerErrors.put(operation, Counter.builder("roomcast.broker.errors").tag("operation", operation.tag())
                    .description("Broker operations that failed (Redis unreachable or timed out)").register(registry));
        }
        directDelivered = directMessages("delivered");
        directNoSuchUser = directMessages("no_such_user");
        brokerReconnects = Counter.builder("roomcast.broker.reconnects")
                .description("Connections to Redis re-established after they dropped").register(registry);
        brokerCatchUps = Counter.builder("roomcast.broker.catchups")
                .description("Rooms that read back from history what was published while the pub/sub connection was down")
                .register(registry);
        brokerCatchUpMessages = Counter.builder("roomcast.broker.catchup.messages")
                .description("Messages those catch-ups delivered").register(registry);
        for (CloseReason reason : CloseReason.values()) {
            closes.put(reason, Counter.builder("roomcast.websocket.closes")
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .description("WebSocket connections closed, by why").register(registry));
        }
        for (Namespace.SlowConsumer policy : Namespace.SlowConsumer.values()) {
            Map<SlowConsumerAction, Counter> actions = new EnumMap<>(SlowConsumerAction.class);
            for (SlowConsumerAction action : SlowConsumerAction.values()) {
                actions.put(action, Counter.builder("roomcast.slow.consumer.actions")
                        .tag("policy", policy.key()).tag("action", action.tag())
                        .description("What slow-consumer policies did to connections that fell behind").register(registry));
            }
            slowConsumerActions.put(policy, actions);
        }
        for (Hook hook : Hook.values()) {
            Map<HookOutcome, Counter> byOutcome = new EnumMap<>(HookOutcome.class);
            for (HookOutcome outcome : HookOutcome.values()) {
                byOutcome.put(outcome, Counter.builder("roomcast.hook.calls").tag("hook", hook.tag()).tag("outcome", outcome.tag())
                        .description("Calls of the application backend's hooks, by hook and how they ended").register(registry));
            }
            hookCalls.put(hook, byOutcome);
            hookLatency.put(hook, Timer.builder("roomcast.hook.latency").tag("hook", hook.tag())
                    .description("Hook calls made, from sending to the backend's answer or the failure")
                    .serviceLevelObjectives(COARSE_BUCKETS).register(registry));
        }
        for (WebhookObserver.Outcome outcome : WebhookObserver.Outcome.values()) {
            webhookEvents.put(outcome, Counter.builder("roomcast.webhook.events").tag("outcome", outcome.tag())
                    .description("Lifecycle webhook events delivered and dropped, and failed attempts retried").register(registry));
        }
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Reports the node's live sizes: open WebSocket connections and rooms with local members. */
    public void bindSizes(IntSupplier connections, IntSupplier rooms) {
        Gauge.builder("roomcast.connections", connections::getAsInt)
                .description("Open WebSocket connections").register(registry);
        Gauge.builder("roomcast.rooms", rooms::getAsInt)
                .description("Rooms with members on this node").register(registry);
    }

    /** {@code roomcast_build_info{version}}: always 1, for joining the version onto other series. */
    public void bindBuildInfo(String version) {
        Gauge.builder("roomcast.build.info", () -> 1).tag("version", version)
                .description("The running build's version").register(registry);
    }

    /** One event-loop batch of live room events was flushed; the oldest had waited {@code nanos}. */
    public void deliveryBatchFlushed(long nanos) {
        deliveryLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The meters of the room's namespace. Resolve once per room event, publish or join (it looks the
     * namespace up by name), never per delivery.
     */
    public NamespaceMeters namespaceOf(String room) {
        if (namespaces.isEmpty() || room.indexOf(':') < 0) {
            return defaultNamespace;
        }
        return namespaces.getOrDefault(Namespaces.nameOf(room), defaultNamespace);
    }

    /** A publish to {@code room} through the broker took {@code nanos} from the call to its position (or failure). */
    public void brokerPublished(String room, long nanos, boolean ok) {
        namespaceOf(room).published(nanos, ok);
        if (!ok) {
            brokerFailed(BrokerOperation.PUBLISH);
        }
    }

    public void brokerFailed(BrokerOperation operation) {
        brokerErrors.get(operation).increment();
    }

    /** Returns {@code operation}, counting it in the broker errors as {@code what} if it fails. */
    public <T> CompletionStage<T> countFailure(CompletionStage<T> operation, BrokerOperation what) {
        return operation.whenComplete((result, failure) -> {
            if (failure != null) {
                brokerFailed(what);
            }
        });
    }

    /** A join of {@code room} with {@code since} was answered: recovered (the exact missed messages follow) or not. */
    public void recovery(String room, boolean wasRecovered) {
        namespaceOf(room).recovery(wasRecovered);
    }

    /** A direct message was sent: to at least one session of its user somewhere, or to nobody. */
    public void directMessage(boolean delivered) {
        (delivered ? directDelivered : directNoSuchUser).increment();
    }

    /** A user's first session in {@code room} arrived, or its last left, as announced to this node. */
    public void presenceChanged(String room, boolean joined) {
        namespaceOf(room).presenceChanged(joined);
    }

    /**
     * One HTTP API request answered. {@code route} is a route template such as
     * {@code /v1/rooms/{room}/messages}, never a concrete path.
     */
    public void httpRequest(String route, String method, int status, long nanos) {
        String key = "http " + route + " " + method + " " + status;
        lazyTimers.computeIfAbsent(key, unused -> Timer.builder("roomcast.http.requests")
                        .tag("route", route).tag("method", method).tag("status", Integer.toString(status))
                        .description("HTTP API requests by route template, method and status, with their latency")
                        .serviceLevelObjectives(COARSE_BUCKETS).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** What the Redis broker reports, recorded here. */
    /** Counts each hook call by outcome and records the latency of those that were made. */
    public HookObserver hookObserver() {
        return (hook, outcome, nanos) -> {
            hookCalls.get(hook).get(outcome).increment();
            if (outcome != HookOutcome.OVERLOADED) {
                hookLatency.get(hook).record(nanos, TimeUnit.NANOSECONDS);
            }
        };
    }

    public WebhookObserver webhookObserver() {
        return outcome -> webhookEvents.get(outcome).increment();
    }

    public RedisObserver redisObserver() {
        return new RedisObserver() {
            @Override
            public void commandCompleted(String command, long nanos) {
                lazyTimers.computeIfAbsent("redis " + command, unused -> Timer.builder("roomcast.broker.command")
                                .tag("command", command)
                                .description("Redis commands by type, from sending to the reply")
                                .serviceLevelObjectives(COARSE_BUCKETS).register(registry))
                        .record(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void announceFailed() {
                brokerFailed(BrokerOperation.ANNOUNCE);
            }

            @Override
            public void heartbeatFailed() {
                brokerFailed(BrokerOperation.HEARTBEAT);
            }

            @Override
            public void reconnected() {
                brokerReconnects.increment();
            }

            @Override
            public void caughtUp(int messages) {
                brokerCatchUps.increment();
                brokerCatchUpMessages.increment(messages);
            }
        };
    }

    public void messageIn() {
        messagesIn.increment();
    }

    /** One room-event frame compressed, to be shared by every member that negotiated permessage-deflate. */
    public void messageCompressed() {
        compressedMessages.increment();
    }

    /** A WebSocket began to close for {@code reason}; once per connection. */
    public void webSocketClosed(CloseReason reason) {
        closes.get(reason).increment();
        if (reason == CloseReason.SLOW_CONSUMER) {
            slowConsumerCloses.increment();
        }
    }

    /** A connection's {@code policy} did {@code action} because the connection fell behind. */
    public void slowConsumerAction(Namespace.SlowConsumer policy, SlowConsumerAction action) {
        slowConsumerActions.get(policy).get(action).increment();
    }

    public void rateLimited() {
        rateLimited.increment();
    }

    public void upgradeRejected(UpgradeRejection reason) {
        rejections.get(reason).increment();
    }

    /** The live figures of this node, for {@code GET /v1/stats} and the admin page. */
    public Snapshot snapshot() {
        Map<UpgradeRejection, Long> refused = new EnumMap<>(UpgradeRejection.class);
        rejections.forEach((reason, counter) -> refused.put(reason, (long) counter.count()));
        double p50 = 0;
        double p99 = 0;
        for (ValueAtPercentile value : deliveryLatency.takeSnapshot().percentileValues()) {
            if (value.percentile() == 0.5) {
                p50 = value.value(TimeUnit.SECONDS);
            } else if (value.percentile() == 0.99) {
                p99 = value.value(TimeUnit.SECONDS);
            }
        }
        long deliveries = defaultNamespace.deliveries().sum();
        for (NamespaceMeters namespace : namespaces.values()) {
            deliveries += namespace.deliveries().sum();
        }
        return new Snapshot(messagesIn.sum(), deliveries, (long) slowConsumerCloses.count(),
                (long) rateLimited.count(), refused, p50, p99);
    }

    /**
     * Totals since the node started, and the delivery latency's p50 and p99 over about the last minute.
     *
     * @param latencyP50Seconds 0 when nothing was delivered in that minute
     */
    public record Snapshot(long messagesIn, long deliveries, long slowConsumerCloses, long rateLimitedMessages,
                           Map<UpgradeRejection, Long> refusedUpgrades, double latencyP50Seconds,
                           double latencyP99Seconds) {
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

    private NamespaceMeters namespaceMeters(String namespace) {
        NamespaceMeters meters = new NamespaceMeters(publishTimer(namespace, "ok"), publishTimer(namespace, "error"),
                recoveries(namespace, "recovered"), recoveries(namespace, "not_recovered"),
                presenceChanges(namespace, "joined"), presenceChanges(namespace, "left"));
        FunctionCounter.builder("roomcast.deliveries", meters.deliveries(), LongAdder::doubleValue)
                .tag("namespace", namespace)
                .description("Room events queued to client connections").register(registry);
        FunctionCounter.builder("roomcast.bytes.out", meters.bytesOut(), LongAdder::doubleValue)
                .tag("namespace", namespace)
                .description("Bytes of room-event frames queued to client connections").baseUnit("bytes")
                .register(registry);
        return meters;
    }

    private Timer publishTimer(String namespace, String outcome) {
        return Timer.builder("roomcast.broker.publish").tag("namespace", namespace).tag("outcome", outcome)
                .description("Publishes through the broker, from the call to the message's position (or the failure)")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    private Counter recoveries(String namespace, String outcome) {
        return Counter.builder("roomcast.recoveries").tag("namespace", namespace).tag("outcome", outcome)
                .description("Joins with since: recovered (the exact missed messages follow) or not").register(registry);
    }

    private Counter directMessages(String outcome) {
        return Counter.builder("roomcast.direct.messages").tag("outcome", outcome)
                .description("Direct messages sent, by whether their user had a session anywhere").register(registry);
    }

    private Counter presenceChanges(String namespace, String change) {
        return Counter.builder("roomcast.presence.changes").tag("namespace", namespace).tag("change", change)
                .description("Presence changes announced to this node: a user's first session in a room, or its last")
                .register(registry);
    }
}
