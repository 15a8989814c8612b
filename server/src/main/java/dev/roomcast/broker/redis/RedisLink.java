package dev.roomcast.broker.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lettuce client and the two connections that {@link RedisBroker}, {@link RedisPresenceStore} and
 * {@link RedisDirectRouter} share: one for commands and scripts, one for pub/sub. Also the one
 * health thread: it pings both connections every second for {@link #isReady} (on Redis Cluster: the
 * connections to every master instead) and runs the checks and heartbeats the three register.
 *
 * <p>Three kinds of Redis, one code path: one Redis and a Sentinel-named master use a {@link RedisClient}
 * with plain pub/sub ({@code PUBLISH}/{@code SUBSCRIBE}); Redis Cluster uses a {@link RedisClusterClient} with
 * sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE}), so a room's events travel only through the shard
 * that holds the room's keys (its channel carries the room's hash tag), instead of being broadcast over the
 * cluster bus to every node. Everything that differs between them is in this class: the publish command
 * ({@link #publishCommand}), where a channel's subscription lives ({@link #shardOf}), and which connection
 * outages the subscribers are told of ({@link #onPubSubOutage}). Commands are routed by Lettuce: a script to
 * the master of its keys' slot.
 *
 * <p>Cluster topology: Lettuce refreshes its view of the slots every {@link #TOPOLOGY_REFRESH} and at once
 * when a MOVED/ASK redirect or repeated reconnects show it is stale, so commands follow a failover or a slot
 * migration by themselves; subscriptions are followed by {@link ChannelSubscriptions}, which compares each
 * channel's shard with that view on every health check.
 *
 * <p>Outages: Lettuce reconnects by itself (its delay capped at {@link #MAX_RECONNECT_DELAY}) and
 * re-subscribes; commands sent while disconnected are rejected at once instead of queued without bound.
 *
 * <p>Threading: thread-safe. Command replies and pub/sub callbacks run on Lettuce I/O threads; the
 * registered checks run on the health thread, one at a time.
 */
final class RedisLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    static final Duration HEALTH_INTERVAL = Duration.ofSeconds(1);
    /** Lettuce's own backoff grows to 30 s; a node should be back within about a second of Redis. */
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);
    /** How often a cluster node re-reads the slots' masters besides when a redirect says they moved. */
    static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(1);
    static final String CLUSTER_SCHEME = "redis-cluster://";

    final RedisKeys keys;
    final RedisObserver observer;
    final RedisClusterAsyncCommands<String, String> redis;
    final StatefulRedisPubSubConnection<String, String> pubSub;
    /** What the scripts publish a room's events with: {@code PUBLISH}, or {@code SPUBLISH} on Redis Cluster. */
    final String publishCommand;
    private final AbstractRedisClient client;
    /** The same client when it is a cluster's, else null. */
    private final RedisClusterClient cluster;
    private final StatefulConnection<String, String> connection;
    private final ScheduledExecutorService health;
    /** What runs on every health check besides the pings: the subscriptions' retries. */
    private final List<Runnable> checks = new CopyOnWriteArrayList<>();
    private volatile boolean answering = true;
    /** On Redis Cluster: the masters serving slots that did not answer the last check ({@code host:port}). */
    private volatile List<String> silentMasters = List.of();

    private RedisLink(RedisKeys keys, RedisObserver observer, AbstractRedisClient client,
                      StatefulConnection<String, String> connection, RedisClusterAsyncCommands<String, String> redis,
                      StatefulRedisPubSubConnection<String, String> pubSub) {
        this.keys = keys;
        this.observer = observer;
        this.client = client;
        this.cluster = client instanceof RedisClusterClient clusterClient ? clusterClient : null;
        this.publishCommand = cluster == null ? "PUBLISH" : "SPUBLISH";
        this.connection = connection;
        this.redis = redis;
        this.pubSub = pubSub;
        // Added after the first connect, so only reconnects are heard.
        RedisConnectionStateListener reconnects = new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                observer.reconnected();
            }
        };
        connection.addListener(reconnects);
        pubSub.addListener(reconnects);
        this.health = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "roomcast-redis-health");
            thread.setDaemon(true);
            return thread;
        });
        every(HEALTH_INTERVAL, this::checkHealth);
    }

    /**
     * Connects to Redis at {@code uri}, naming keys with {@code prefix}; blocks, so call it at startup.
     * Throws {@link IllegalStateException} with a one-line reason if Redis cannot be reached.
     */
    static RedisLink connect(String uri, String prefix, RedisObserver observer) {
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .commandLatencyRecorder(new CommandLatencyRecorder() {
                    @Override
                    public void recordCommandLatency(SocketAddress local, SocketAddress remote, ProtocolKeyword command,
                                                     long firstResponseNanos, long completionNanos) {
                        observer.commandCompleted(command.toString(), completionNanos);
                    }
                })
                .build();
        List<RedisURI> uris = parseAll(uri);
        AbstractRedisClient client = isCluster(uri) ? clusterClient(resources, uris) : redisClient(resources, uris.get(0));
        StatefulConnection<String, String> connection = null;
        try {
            if (client instanceof RedisClusterClient clusterClient) {
                StatefulRedisClusterConnection<String, String> commands = clusterClient.connect(StringCodec.UTF8);
                connection = commands;
                return new RedisLink(new RedisKeys(prefix, 0), observer, client, commands, commands.async(),
                        clusterClient.connectPubSub(StringCodec.UTF8));
            }
            RedisClient redisClient = (RedisClient) client;
            var commands = redisClient.connect(StringCodec.UTF8);
            connection = commands;
            return new RedisLink(new RedisKeys(prefix, uris.get(0).getDatabase()), observer, client, commands,
                    commands.async(), redisClient.connectPubSub(StringCodec.UTF8));
        } catch (RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            shutDown(client);
            throw new IllegalStateException("cannot use Redis at " + describe(uri) + ": " + rootMessage(e), e);
        }
    }

    private static RedisClient redisClient(ClientResources resources, RedisURI uri) {
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                // Fail a publish at once while Redis is unreachable instead of queueing it without bound.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        return client;
    }

    private static RedisClusterClient clusterClient(ClientResources resources, List<RedisURI> seeds) {
        RedisClusterClient client = RedisClusterClient.create(resources, seeds);
        client.setOptions(ClusterClientOptions.builder()
                // As with one Redis: a command for a shard whose master is unreachable fails at once.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(TOPOLOGY_REFRESH)
                        .enableAllAdaptiveRefreshTriggers()
                        // Lettuce's default waits 30 s between adaptive refreshes; a failover should be followed in about one.
                        .adaptiveRefreshTriggersTimeout(TOPOLOGY_REFRESH)
                        .refreshTriggersReconnectAttempts(1)
                        .build())
                .build());
        return client;
    }

    /** Whether a {@code --broker} URL names a Redis Cluster. */
    static boolean isCluster(String uri) {
        return uri.startsWith(CLUSTER_SCHEME);
    }

    /**
     * Lettuce's URIs for a {@code --broker} URL: one for {@code redis://}, {@code rediss://} (as Lettuce reads them) and
     * {@code redis-sentinel://host:port[,host:port…]/<master>}, whose path names the master (Lettuce writes it after a
     * {@code #}); with Sentinel, Lettuce asks the sentinels for the master on every connect and reconnect, so a node
     * follows a failover by itself. For {@code redis-cluster://[:password@]host:port[,host:port…]}, one per seed node
     * (Lettuce finds the others from any of them).
     */
    static List<RedisURI> parseAll(String uri) {
        if (isCluster(uri)) {
            String rest = uri.substring(CLUSTER_SCHEME.length());
            int slash = rest.indexOf('/');
            rest = slash < 0 ? rest : rest.substring(0, slash);
            int at = rest.lastIndexOf('@');
            String credentials = at < 0 ? "" : rest.substring(0, at + 1);
            List<RedisURI> seeds = new ArrayList<>();
            for (String node : rest.substring(at + 1).split(",")) {
                seeds.add(RedisURI.create("redis://" + credentials + node.strip()));
            }
            return seeds;
        }
        return List.of(parse(uri));
    }

    private static RedisURI parse(String uri) {
        String sentinelScheme = RedisURI.URI_SCHEME_REDIS_SENTINEL + "://";
        int path = uri.indexOf('/', sentinelScheme.length());
        if (uri.startsWith(sentinelScheme) && !uri.contains("#") && path > 0) {
            return RedisURI.create(uri.substring(0, path) + "#" + uri.substring(path + 1));
        }
        return RedisURI.create(uri);
    }

    /** Where Redis is, for one-line errors: {@code host:port}, the sentinels and the master's name, or the cluster's seeds. */
    static String describe(String uri) {
        List<RedisURI> uris = parseAll(uri);
        if (isCluster(uri)) {
            return "Redis Cluster " + String.join(",", uris.stream().map(seed -> seed.getHost() + ":" + seed.getPort()).toList());
        }
        RedisURI redisUri = uris.get(0);
        if (redisUri.getSentinels().isEmpty()) {
            return redisUri.getHost() + ":" + redisUri.getPort();
        }
        StringBuilder sentinels = new StringBuilder();
        for (RedisURI sentinel : redisUri.getSentinels()) {
            sentinels.append(sentinels.isEmpty() ? "" : ",").append(sentinel.getHost()).append(':').append(sentinel.getPort());
        }
        return "master " + redisUri.getSentinelMasterId() + " of Sentinel " + sentinels;
    }

    /** One event on a channel, with the link's publish command; the reply is how many subscribers got it. */
    CompletionStage<Long> publish(String channel, String message) {
        return cluster == null ? redis.publish(channel, message) : redis.spublish(channel, message);
    }

    /**
     * Where a channel's subscription belongs now: on Redis Cluster the id of the master serving the channel's
     * slot in Lettuce's latest view (null while no master serves it), else {@code ""} (the one pub/sub connection).
     */
    String shardOf(String channel) {
        if (cluster == null) {
            return "";
        }
        RedisClusterNode master = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(channel));
        return master == null ? null : master.getNodeId();
    }

    /**
     * Subscribes to a channel where it belongs ({@link #shardOf}); completes with that place once the
     * subscription is in effect. On Redis Cluster the {@code SSUBSCRIBE} goes to the connection to that master
     * (Lettuce re-subscribes it if that connection drops and comes back).
     */
    CompletionStage<String> subscribe(String channel) {
        String shard = shardOf(channel);
        if (cluster == null) {
            return pubSub.async().subscribe(channel).thenApply(done -> shard);
        }
        if (shard == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no master serves the slot of " + channel));
        }
        return nodeConnection(shard).thenCompose(node -> node.async().ssubscribe(channel)).thenApply(done -> shard);
    }

    /** Ends the subscription to a channel made at {@code shard} (as {@link #subscribe} completed). */
    CompletionStage<Void> unsubscribe(String channel, String shard) {
        if (cluster == null) {
            return pubSub.async().unsubscribe(channel);
        }
        return nodeConnection(shard).thenCompose(node -> node.async().sunsubscribe(channel));
    }

    /** The pub/sub connection to one cluster node; fails when the node has left the cluster. */
    private CompletableFuture<StatefulRedisPubSubConnection<String, String>> nodeConnection(String nodeId) {
        try {
            return ((StatefulRedisClusterPubSubConnection<String, String>) pubSub).getConnectionAsync(nodeId);
        } catch (RuntimeException gone) {
            return CompletableFuture.failedFuture(gone);
        }
    }

    /** Calls {@code listener} with each event on any subscribed channel, plain or sharded, on a Lettuce I/O thread. */
    void onMessage(BiConsumer<String, String> listener) {
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                listener.accept(channel, message);
            }

            @Override
            public void smessage(String channel, String message) {
                listener.accept(channel, message);
            }
        });
    }

    /**
     * Runs {@code dropped} when the pub/sub connection that carries every subscription drops and {@code back} when it
     * is re-established. On Redis Cluster no single connection carries them: each shard's subscriptions live on
     * the connection to its master, and {@link ChannelSubscriptions} tells of those that had to move instead.
     */
    void onPubSubOutage(Runnable dropped, Runnable back) {
        if (cluster != null) {
            return;
        }
        pubSub.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                dropped.run();
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                back.run();
            }
        });
    }

    /** Reads {@code redis/<name>} and loads it into Redis; blocks, so call it at startup. */
    LuaScript script(String name) {
        return LuaScript.load(name, redis);
    }

    /** Runs {@code check} on the health thread with every health check, once a second. */
    void onHealthCheck(Runnable check) {
        checks.add(check);
    }

    /** Runs {@code task} on the health thread every {@code interval}, first after one interval, until cancelled. */
    ScheduledFuture<?> every(Duration interval, Runnable task) {
        long millis = Math.max(1, interval.toMillis());
        return health.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on the health thread now. */
    void execute(Runnable task) {
        health.execute(task);
    }

    /** Runs {@code task} on the health thread after one health interval; nothing once closed. */
    void retryLater(Runnable task) {
        try {
            health.schedule(task, HEALTH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // Closing: nobody is left to retry for.
        }
    }

    /**
     * Whether the last pings (every second) were answered; never blocks. With one Redis or Sentinel: both
     * connections' pings. On Redis Cluster: any master's, since a shard that is down is down for every node alike,
     * and a node out of the load balancer would serve no room at all instead of all but that shard's.
     */
    boolean isReady() {
        return cluster == null ? answering && connection.isOpen() && pubSub.isOpen() : answering;
    }

    /** On Redis Cluster, the masters serving slots that did not answer the last pings while others did; else empty. */
    List<String> silentMasters() {
        return answering ? silentMasters : List.of();
    }

    /**
     * The {@code run_id} of each master that answers {@code INFO server}, by its place as {@link #shardOf} names it
     * (on Redis Cluster a master's node id; else {@code ""}, the one Redis). A master that does not answer is left out;
     * with one Redis that fails the stage instead. The run id changes exactly when that Redis process restarts.
     */
    CompletionStage<Map<String, String>> runIds() {
        if (cluster == null) {
            return redis.info("server").thenApply(info -> Map.of("", runIdOf(info)));
        }
        Map<String, CompletableFuture<String>> asked = new HashMap<>();
        for (RedisClusterNode master : servingMasters()) {
            asked.put(master.getNodeId(), masterConnection(master.getNodeId())
                    .thenCompose(node -> node.async().info("server")).thenApply(RedisLink::runIdOf)
                    .orTimeout(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
        return CompletableFuture.allOf(asked.values().stream().map(info -> info.exceptionally(silent -> null))
                .toArray(CompletableFuture[]::new)).thenApply(all -> {
                    Map<String, String> runIds = new HashMap<>();
                    asked.forEach((master, runId) -> {
                        if (!runId.isCompletedExceptionally()) {
                            runIds.put(master, runId.join());
                        }
                    });
                    return runIds;
                });
    }

    /** Where the master of a {@link #shardOf} place is, for logs: {@code host:port}, or "Redis" with one Redis. */
    String describeShard(String shard) {
        if (cluster == null) {
            return "Redis";
        }
        RedisClusterNode master = cluster.getPartitions().getPartitionByNodeId(shard);
        return master == null ? "Redis Cluster master " + shard : "Redis Cluster master " + address(master);
    }

    /** Stops the health thread, then closes both connections and the client's resources. */
    @Override
    public void close() {
        health.shutdownNow();
        pubSub.close();
        connection.close();
        shutDown(client);
    }

    /**
     * On the health thread: refreshes {@link #isReady} and runs the registered checks. Both connections
     * are pinged (on Redis Cluster: the command and the pub/sub connection to each master serving slots); on a
     * pub/sub one the answer comes after the re-subscriptions Lettuce sends when it reconnects, so "ready" also
     * means this node receives its rooms' events again.
     */
    private void checkHealth() {
        if (cluster == null) {
            CompletableFuture<String> commands = redis.ping().toCompletableFuture();
            CompletableFuture<String> events = pubSub.async().ping().toCompletableFuture();
            CompletableFuture.allOf(commands, events).orTimeout(HEALTH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((pongs, failure) -> answering = failure == null);
        } else {
            checkMasters();
        }
        checks.forEach(Runnable::run);
    }

    /** Pings each master serving slots on both of this node's connections to it; notes which did not answer. */
    private void checkMasters() {
        Map<String, CompletableFuture<String>> pongs = new HashMap<>();
        for (RedisClusterNode master : servingMasters()) {
            pongs.put(address(master), masterConnection(master.getNodeId()).thenCompose(node -> node.async().ping())
                    .thenCompose(pong -> nodeConnection(master.getNodeId()).thenCompose(node -> node.async().ping()))
                    .orTimeout(HEALTH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS));
        }
        CompletableFuture.allOf(pongs.values().stream().map(pong -> pong.exceptionally(silent -> null))
                .toArray(CompletableFuture[]::new)).whenComplete((all, never) -> {
                    List<String> silent = pongs.entrySet().stream().filter(pong -> pong.getValue().isCompletedExceptionally())
                            .map(Map.Entry::getKey).sorted().toList();
                    if (!silent.equals(silentMasters) && silent.isEmpty()) {
                        log.info("every Redis Cluster master serving slots answers again");
                    } else if (!silent.equals(silentMasters)) {
                        log.warn("Redis Cluster masters not answering: {}; the rooms of their slots pause", silent);
                    }
                    silentMasters = silent;
                    answering = silent.size() < pongs.size();
                });
    }

    /** The masters serving slots in Lettuce's latest view of the cluster, failed ones included. */
    private List<RedisClusterNode> servingMasters() {
        List<RedisClusterNode> masters = new ArrayList<>();
        for (RedisClusterNode node : cluster.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
                masters.add(node);
            }
        }
        return masters;
    }

    /** The command connection to one cluster node; fails when the node has left the cluster. */
    private CompletableFuture<StatefulRedisConnection<String, String>> masterConnection(String nodeId) {
        try {
            return ((StatefulRedisClusterConnection<String, String>) connection).getConnectionAsync(nodeId);
        } catch (RuntimeException gone) {
            return CompletableFuture.failedFuture(gone);
        }
    }

    private static String address(RedisClusterNode node) {
        return node.getUri().getHost() + ":" + node.getUri().getPort();
    }

    /** The {@code run_id} line of {@code INFO server}. */
    private static String runIdOf(String info) {
        return info.lines().filter(line -> line.startsWith("run_id:")).findFirst()
                .map(line -> line.substring("run_id:".length()).strip())
                .orElseThrow(() -> new IllegalStateException("INFO server has no run_id"));
    }

    /** For commands whose failure the caller can only note and count: transient events, presence bookkeeping. */
    static void logFailure(CompletionStage<?> command, String what, String name, Runnable count) {
        command.exceptionally(failure -> {
            count.run();
            log.debug("{} of {} failed: {}", what, name, failure.toString());
            return null;
        });
    }

    static String millis(Duration duration) {
        return Long.toString(duration.toMillis());
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        // One line: Lettuce lists each cluster node's failure on a line of its own.
        return (root.getMessage() == null ? root.toString() : root.getMessage()).strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static void shutDown(AbstractRedisClient client) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        client.getResources().shutdown(0, 2, TimeUnit.SECONDS);
    }
}
