package dev.roomcast.broker.redis;

import dev.roomcast.broker.Broker;
import dev.roomcast.broker.BrokerListener;
import dev.roomcast.broker.DirectMessage;
import dev.roomcast.broker.Draft;
import dev.roomcast.broker.HistorySlice;
import dev.roomcast.broker.LocalBroker;
import dev.roomcast.broker.OutcomeUnknownException;
import dev.roomcast.broker.Position;
import dev.roomcast.broker.PresenceCounts;
import dev.roomcast.broker.RoomEvent;
import dev.roomcast.broker.RoomHistory;
import dev.roomcast.broker.UserDisconnect;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker that lets several nodes share rooms through Redis (Lettuce): one Lua script per
 * publish appends to the room's stream and publishes on its channel atomically, each node
 * subscribes to the channels of the rooms it has members in, and history is read from the stream.
 * Direct messages travel on one channel per user, which every node holding a session of that user
 * subscribes to; the number of subscribers PUBLISH reports tells whether anyone received it.
 *
 * <p>Presence: each node keeps its own counts ({@link PresenceCounts}) and mirrors them into one hash
 * per room and node, which expires unless the node's heartbeat refreshes it, so the users of a node
 * that crashed disappear after {@code presenceLease}, and the heartbeat of a node that survives announces
 * them left (once per room and user, not for a user connected elsewhere). A script per change counts and announces joined/left
 * when a user's first session in the room on any live node arrives or its last one leaves.
 * Keys and channels are named in {@link RedisKeys}; events are encoded by {@link RoomEventCodec}.
 *
 * <p>History: a room keeps at most the messages its {@link RoomHistory} allows, judging age by Redis's
 * clock, so node clocks do not matter. Every key has a TTL of {@code roomTtl}, refreshed by each publish: a room nobody publishes to for that long is forgotten, and its next use starts a new
 * epoch, so positions from before answer {@code recovered:false}, as they do after a flush.
 *
 * <p>Threading: thread-safe. Listener callbacks run on a Lettuce I/O thread: each event is decoded
 * and handed to {@link BrokerListener#onEvent} immediately, which must not block (the hub hands it
 * to the owning loops and returns). All rooms share one pub/sub connection, so the events of a room
 * reach the listener in the order the scripts published them. Command replies also complete on Lettuce
 * threads. A health check on its own daemon thread pings Redis every second for {@link #isReady} and
 * retries subscriptions that failed while Redis was unreachable.
 *
 * <p>Outages: Lettuce reconnects by itself and re-subscribes. Events published while the pub/sub
 * connection was down are read back from each subscribed room's history once it is up again
 * ({@link RoomFeed}), so members that stayed connected miss nothing the history still holds.
 */
public final class RedisBroker implements Broker {

    /**
     * Where Redis is and how rooms are kept there.
     *
     * @param uri               {@code redis://host:port[/db]} (or {@code rediss://} for TLS)
     * @param prefix            put in front of every key and channel, so several deployments can share a Redis
     * @param historyPolicy     what each room keeps
     * @param roomTtl           how long a room's keys outlive its last publish; at least the longest age any
     *                          room's history keeps messages for
     * @param presenceLease       how long a node's presence entries outlive its last heartbeat (sent every third of it)
     * @param idempotencyWindow how long a publish's idempotency key is remembered
     */
    public record Settings(String uri, String prefix, RoomHistory.HistoryPolicy historyPolicy, Duration roomTtl,
                           Duration presenceLease, Duration idempotencyWindow) {

        /** Every room keeps {@code historySize} messages no older than {@code historyMaxAge}; keys outlive them by {@code roomTtl}. */
        public Settings(String uri, String prefix, int historySize, Duration historyMaxAge, Duration roomTtl,
                        Duration presenceLease) {
            this(uri, prefix, RoomHistory.uniform(historySize, historyMaxAge), roomTtl, presenceLease,
                    LocalBroker.DEFAULT_IDEMPOTENCY_WINDOW);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** Lettuce's message when it rejects a command because it is disconnected (it has no own exception type). */
    private static final String REJECTED_WHILE_DISCONNECTED = "Currently not connected. Commands are rejected.";
    private static final Duration HEALTH_INTERVAL = Duration.ofSeconds(1);
    /** Lettuce's own backoff grows to 30 s; a node should be back within about a second of Redis. */
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

    private final Settings settings;
    private final RedisKeys keys;
    private final RedisClient client;
    private final RedisObserver observer;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final LuaScript publishScript;
    private final LuaScript historyScript;
    private final LuaScript changePresenceScript;
    private final LuaScript refreshScript;
    private final LuaScript presenceScript;
    /** Names this node's presence entries; random, so a restarted node never inherits a crashed one's. */
    private final String nodeId = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36);
    private final PresenceCounts presence = new PresenceCounts();
    /** Per room, users whose presence change could not be run (Redis unreachable): the next heartbeat announces them. */
    private final ConcurrentHashMap<String, Set<String>> unannounced = new ConcurrentHashMap<>();
    private final ScheduledExecutorService health;
    /** Rooms this node wants events of, each with its latest SUBSCRIBE; a failed one is retried. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> subscriptions = new ConcurrentHashMap<>();
    /** Users this node holds sessions of, each with its latest SUBSCRIBE; a failed one is retried. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> users = new ConcurrentHashMap<>();
    /** What was delivered of each subscribed room; events of rooms without one are dropped. */
    private final ConcurrentHashMap<String, RoomFeed> feeds = new ConcurrentHashMap<>();
    private volatile BrokerListener listener = event -> { };
    private volatile boolean answering = true;
    /** This node as {@link #announceNode} named it; null until then. */
    private volatile String announcedId;
    private volatile IntSupplier announcedConnections;

    private RedisBroker(Settings settings, RedisClient client, RedisObserver observer,
                        StatefulRedisConnection<String, String> connection,
                        StatefulRedisPubSubConnection<String, String> pubSub) {
        this.settings = settings;
        this.keys = new RedisKeys(settings.prefix(), RedisURI.create(settings.uri()).getDatabase());
        this.client = client;
        this.observer = observer;
        this.connection = connection;
        this.redis = connection.async();
        this.pubSub = pubSub;
        this.publishScript = LuaScript.load("publish.lua", redis);
        this.historyScript = LuaScript.load("history.lua", redis);
        this.changePresenceScript = LuaScript.load("presence_change.lua", redis);
        this.refreshScript = LuaScript.load("presence_refresh.lua", redis);
        this.presenceScript = LuaScript.load("presence.lua", redis);
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                deliver(channel, message);
            }
        });
        pubSub.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                feeds.values().forEach(RoomFeed::hold);
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                observer.reconnected();
                catchUp();
            }
        });
        // Added after the first connect, so only reconnects are heard.
        connection.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                observer.reconnected();
            }
        });
        this.health = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "roomcast-redis-health");
            thread.setDaemon(true);
            return thread;
        });
        health.scheduleWithFixedDelay(this::checkHealth, HEALTH_INTERVAL.toMillis(), HEALTH_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        long heartbeat = Math.max(1, settings.presenceLease().toMillis() / 3);
        health.scheduleWithFixedDelay(this::refreshPresence, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
    }

    /**
     * Connects to Redis and loads the scripts; blocks, so call it at startup. Throws
     * {@link IllegalStateException} with a one-line reason if Redis cannot be reached.
     * {@code observer} hears about commands, failures, reconnects and catch-ups from then on.
     */
    public static RedisBroker connect(Settings settings, RedisObserver observer) {
        RedisURI uri = RedisURI.create(settings.uri());
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
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                // Fail a publish at once while Redis is unreachable instead of queueing it without bound.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        StatefulRedisConnection<String, String> connection = null;
        try {
            connection = client.connect(StringCodec.UTF8);
            return new RedisBroker(settings, client, observer, connection, client.connectPubSub(StringCodec.UTF8));
        } catch (RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            shutDown(client);
            throw new IllegalStateException("cannot use Redis at " + uri.getHost() + ":" + uri.getPort() + ": "
                    + rootMessage(e), e);
        }
    }

    @Override
    public void start(BrokerListener listener) {
        this.listener = listener;
    }

    /**
     * Runs publish.lua: appends to the room's stream and publishes on its channel in one step, so the
     * offsets of a room grow by one per message whichever node publishes. If this node's subscription to
     * the room is still being set up, the publish waits for it, so local members see their own messages.
     * The script also checks and sets the idempotency key, so a retry on any node is answered, not delivered.
     */
    @Override
    public CompletionStage<Position> publish(String room, Draft draft) {
        String body = RoomEventCodec.encodeDraft(room, draft);
        CompletableFuture<Position> published = new CompletableFuture<>();
        RoomHistory history = settings.historyPolicy().of(room);
        afterSubscribed(room, () -> publishScript.run(redis, keys.publishKeys(room, draft.idempotencyKey()),
                        Position.newEpoch(), body, Integer.toString(history.size()), millis(history.maxAge()),
                        millis(settings.roomTtl()), keys.channel(room), draft.store() ? "1" : "0",
                        millis(settings.idempotencyWindow())))
                .whenComplete((reply, failure) -> {
                    if (failure == null) {
                        published.complete(reply.isEmpty() ? null : new Position((String) reply.get(0), (Long) reply.get(1)));
                    } else if (rejectedUnsent(failure)) {
                        published.completeExceptionally(failure);
                    } else {
                        // A timeout does not stop the script: Redis may run it later (a stall), or Lettuce may send it
                        // again after reconnecting (#10).
                        published.completeExceptionally(new OutcomeUnknownException(
                                "Redis did not confirm the publish to " + room + ": " + rootMessage(failure), failure));
                    }
                });
        return published;
    }

    /** Whether Lettuce refused the command before sending it (disconnected): then it never ran. */
    private static boolean rejectedUnsent(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RedisException && REJECTED_WHILE_DISCONNECTED.equals(cause.getMessage())) {
                return true;
            }
        }
        return false;
    }



    /** Publishes on the room's channel only; nothing is kept. */
    @Override
    public void broadcast(RoomEvent event) {
        logFailure(redis.publish(keys.channel(event.room()), RoomEventCodec.encodeTransient(event)), "broadcast", event.room(),
                observer::announceFailed);
    }

    @Override
    public CompletionStage<Void> subscribe(String room) {
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        CompletableFuture<Void> existing = subscriptions.putIfAbsent(room, subscribed);
        if (existing != null) {
            return existing;
        }
        RoomFeed feed = new RoomFeed(room);
        feeds.put(room, feed);
        sendSubscribe(keys.channel(room), subscribed);
        // Where this node's view of the room starts, in case the connection drops before anything is delivered.
        subscribed.thenCompose(done -> history(room, null, 0))
                .thenAccept(slice -> feed.subscribedAt(slice.current()));
        return subscribed;
    }

    @Override
    public CompletionStage<Void> unsubscribe(String room) {
        subscriptions.remove(room);
        feeds.remove(room);
        return pubSub.async().unsubscribe(keys.channel(room)).thenApply(done -> null);
    }

    /** Runs presence_change.lua inside this node's counting step, so the room's scripts run in the counts' order. */
    @Override
    public void enter(String room, String user) {
        presence.add(room, user, count -> changePresence(new RoomEvent.PresenceChange(room, user, true)));
    }

    @Override
    public void exit(String room, String user) {
        presence.remove(room, user, count -> changePresence(new RoomEvent.PresenceChange(room, user, false)));
    }

    /** Sums the live nodes' entries of the room: a user with sessions on two nodes is one entry. */
    @Override
    public CompletionStage<Map<String, Integer>> presence(String room) {
        return presenceScript.run(redis, new String[] {keys.presenceNodes(room)}, keys.presenceOfNode(room))
                .thenApply(reply -> {
                    Map<String, Integer> users = new TreeMap<>();
                    for (int i = 0; i + 1 < reply.size(); i += 2) {
                        int sessions = Integer.parseInt((String) reply.get(i + 1));
                        if (sessions > 0) {
                            users.merge((String) reply.get(i), sessions, Integer::sum);
                        }
                    }
                    return users;
                });
    }

    /**
     * A failure loses the announcement until the next heartbeat after Redis answers again, which
     * rewrites this node's counts and announces the user's change then, if it still is one (#10).
     */
    private void changePresence(RoomEvent.PresenceChange change) {
        String room = change.room();
        changePresenceScript.run(redis, keys.presenceKeys(room, nodeId), nodeId, change.user(),
                change.joined() ? "1" : "-1", millis(settings.presenceLease()), keys.channel(room),
                RoomEventCodec.encodeTransient(change), keys.presenceOfNode(room)).exceptionally(failure -> {
                    observer.announceFailed();
                    unannounced.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(change.user());
                    log.debug("presence change in room {} failed, to be announced by a heartbeat: {}", room, failure.toString());
                    return null;
                });
    }

    /** Writes this node's entry in the node list now, then with every heartbeat. */
    @Override
    public void announceNode(String nodeId, IntSupplier connections) {
        announcedConnections = connections;
        announcedId = nodeId;
        health.execute(this::refreshNode);
    }

    /**
     * Reads the node list; entries whose node stopped refreshing them are left out (and removed). Node
     * clocks are compared with each other here, so a node whose clock is off by more than the presence lease
     * may be shown or hidden wrongly; the list is for people, nothing depends on it.
     */
    @Override
    public CompletionStage<Map<String, Integer>> nodes() {
        return redis.hgetall(keys.nodes()).thenApply(entries -> {
            long now = System.currentTimeMillis();
            Map<String, Integer> live = new TreeMap<>();
            entries.forEach((node, entry) -> {
                String[] countAndExpiry = entry.split(" ");
                if (Long.parseLong(countAndExpiry[1]) > now) {
                    live.put(node, Integer.parseInt(countAndExpiry[0]));
                } else {
                    logFailure(redis.hdel(keys.nodes(), node), "forget a stopped node", node, observer::heartbeatFailed);
                }
            });
            String self = announcedId;
            if (self != null) {
                live.put(self, announcedConnections.getAsInt());
            }
            return live;
        });
    }

    /** On the health thread: this node's entry in the node list, with its connections now. */
    private void refreshNode() {
        String self = announcedId;
        if (self == null) {
            return;
        }
        long ttl = settings.presenceLease().toMillis();
        String entry = announcedConnections.getAsInt() + " " + (System.currentTimeMillis() + ttl);
        logFailure(redis.hset(keys.nodes(), self, entry), "node heartbeat", self, observer::heartbeatFailed);
        logFailure(redis.pexpire(keys.nodes(), ttl), "node heartbeat", self, observer::heartbeatFailed);
    }

    /**
     * On the health thread: rewrites this node's presence entries of every room it has sessions in (or
     * changes not yet announced), announces those changes, and announces the users of nodes whose lease
     * ran out (crashed) as left, once per room and user.
     */
    private void refreshPresence() {
        refreshNode();
        presence.forEachRoom(this::refreshPresence);
        unannounced.keySet().forEach(room -> {
            if (presence.users(room).isEmpty()) {
                refreshPresence(room, Map.of());
            }
        });
    }

    private void refreshPresence(String room, Map<String, Integer> users) {
        Set<String> toAnnounce = unannounced.getOrDefault(room, Set.of());
        List<String> reconciled = List.copyOf(toAnnounce);
        String[] left = RoomEventCodec.presenceChangeAround(room, false);
        String[] joined = RoomEventCodec.presenceChangeAround(room, true);
        List<String> args = new ArrayList<>(9 + reconciled.size() + 2 * users.size());
        args.addAll(List.of(nodeId, millis(settings.presenceLease()), keys.channel(room), keys.presenceOfNode(room),
                left[0], left[1], joined[0], joined[1], Integer.toString(reconciled.size())));
        args.addAll(reconciled);
        users.forEach((user, sessions) -> {
            args.add(user);
            args.add(Integer.toString(sessions));
        });
        refreshScript.run(redis, keys.presenceKeys(room, nodeId), args.toArray(String[]::new)).whenComplete((done, failure) -> {
            if (failure != null) {
                observer.heartbeatFailed();
                log.debug("presence heartbeat in room {} failed: {}", room, failure.toString());
            } else if (!reconciled.isEmpty()) {
                unannounced.computeIfPresent(room, (r, pending) -> {
                    pending.removeAll(reconciled);
                    return pending.isEmpty() ? null : pending;
                });
            }
        });
    }

    @Override
    public CompletionStage<Void> addUser(String user) {
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        CompletableFuture<Void> existing = users.putIfAbsent(user, subscribed);
        if (existing != null) {
            return existing;
        }
        sendSubscribe(keys.userChannel(user), subscribed);
        return subscribed;
    }

    @Override
    public CompletionStage<Void> removeUser(String user) {
        users.remove(user);
        return pubSub.async().unsubscribe(keys.userChannel(user)).thenApply(done -> null);
    }

    /** One PUBLISH on the user's channel: the nodes subscribed to it are the nodes that hold the user. */
    @Override
    public CompletionStage<Boolean> direct(DirectMessage message) {
        return redis.publish(keys.userChannel(message.to()), RoomEventCodec.encodeDirect(message))
                .thenApply(receivers -> receivers > 0);
    }

    /** One PUBLISH on the user's channel, like {@link #direct}. */
    @Override
    public CompletionStage<Boolean> disconnectUser(UserDisconnect disconnect) {
        return redis.publish(keys.userChannel(disconnect.user()), RoomEventCodec.encodeDisconnect(disconnect))
                .thenApply(receivers -> receivers > 0);
    }

    /**
     * Runs history.lua, which reads the position and the messages in one step. A read for a room this
     * node is still subscribing to waits for the subscription, so a joiner misses nothing between the
     * history it reads and the live events that follow.
     */
    @Override
    public CompletionStage<HistorySlice> history(String room, Position since, int limit) {
        RoomHistory history = settings.historyPolicy().of(room);
        return afterSubscribed(room, () -> historyScript.run(redis, keys.roomKeys(room),
                        Position.newEpoch(), since == null ? "" : since.epoch(), since == null ? "0" : Long.toString(since.offset()),
                        Integer.toString(limit), Integer.toString(history.size()),
                        millis(history.maxAge()), millis(settings.roomTtl())))
                .thenApply(reply -> slice(reply, since, limit));
    }

    /** Whether the last pings (one per connection, every second) were answered; never blocks. */
    @Override
    public boolean isReady() {
        return answering && connection.isOpen() && pubSub.isOpen();
    }

    @Override
    public void close() {
        health.shutdownNow();
        String self = announcedId;
        if (self != null) {
            // Best effort: a node that stops cleanly leaves the list at once instead of after its TTL.
            redis.hdel(keys.nodes(), self).toCompletableFuture().completeOnTimeout(0L, 1, TimeUnit.SECONDS)
                    .exceptionally(unreachable -> 0L).join();
        }
        pubSub.close();
        connection.close();
        shutDown(client);
    }

    /** The client and its resources, which are this broker's own. */
    private static void shutDown(RedisClient client) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        client.getResources().shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static HistorySlice slice(List<Object> reply, Position since, int limit) {
        Position current = new Position((String) reply.get(0), (Long) reply.get(1));
        long kept = (Long) reply.get(2);
        List<RoomEvent.Message> messages = new ArrayList<>(reply.size() - 3);
        for (Object encoded : reply.subList(3, reply.size())) {
            messages.add((RoomEvent.Message) RoomEventCodec.decode((String) encoded));
        }
        // Complete when `since` is of this epoch (kept is -1 otherwise), every message after it is still
        // kept, and the limit did not cut them short.
        boolean complete = since == null || (kept >= 0 && kept == current.offset() - since.offset() && kept <= limit);
        return new HistorySlice(messages, current, complete);
    }

    /** On the Lettuce I/O thread: decode and hand over at once. */
    private void deliver(String channel, String message) {
        if (keys.isUserChannel(channel)) {
            deliverToUser(channel, message);
            return;
        }
        RoomEvent event;
        try {
            event = RoomEventCodec.decode(message);
        } catch (IllegalArgumentException e) {
            log.warn("dropped an event on {} that this node cannot read: {}", channel, e.getMessage());
            return;
        }
        RoomFeed feed = feeds.get(event.room());
        if (feed == null) {
            return;
        }
        try {
            if (feed.offer(event, listener)) {
                log.warn("room {}: a message skipped ahead of the last one delivered; reading the gap from history", event.room());
                catchUp(event.room(), feed);
            }
        } catch (RuntimeException e) {
            log.error("the broker listener failed on an event of room {}", event.room(), e);
        }
    }

    /** On the Lettuce I/O thread: a direct message or a disconnect order for a user this node holds. */
    private void deliverToUser(String channel, String message) {
        Object decoded;
        try {
            decoded = RoomEventCodec.decodeForUser(message);
        } catch (IllegalArgumentException e) {
            log.warn("dropped a message on {} that this node cannot read: {}", channel, e.getMessage());
            return;
        }
        try {
            if (decoded instanceof UserDisconnect disconnect) {
                listener.onDisconnect(disconnect);
            } else {
                listener.onDirect((DirectMessage) decoded);
            }
        } catch (RuntimeException e) {
            log.error("the broker listener failed on a message to a user", e);
        }
    }

    /**
     * A SUBSCRIBE sent as the pub/sub connection drops may never be answered (seen in the chaos run,
     * #10): it fails after the command timeout, and the health check sends it again.
     */
    private void sendSubscribe(String channel, CompletableFuture<Void> subscribed) {
        pubSub.async().subscribe(channel).toCompletableFuture().orTimeout(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((done, failure) -> {
            if (failure == null) {
                subscribed.complete(null);
            } else {
                subscribed.completeExceptionally(failure);
            }
        });
    }

    /**
     * After the pub/sub connection came back: once its re-subscriptions are in effect (the answer to a
     * PING on it comes after theirs), reads what each room missed and delivers it before the held events.
     */
    private void catchUp() {
        pubSub.async().ping().whenComplete((pong, failure) -> feeds.forEach(this::catchUp));
    }

    /**
     * Reads what the room missed since the last message delivered and hands it to the feed, which
     * delivers it before the held events. The command connection reconnects on its own schedule, so a
     * read that fails is retried every second for as long as the room is subscribed: members wait
     * rather than miss messages silently.
     */
    private void catchUp(String room, RoomFeed feed) {
        Position from = feed.startReading();
        if (from == null) {
            feed.releaseHeldUnlessReading(listener);
            return;
        }
        readMissed(room, from).whenComplete((missed, failure) -> {
            if (feeds.get(room) != feed) {
                return;
            }
            if (failure != null) {
                feed.readFailed();
                log.debug("room {}: reading what was missed failed, retrying: {}", room, failure.toString());
                retryLater(() -> catchUp(room, feed));
                return;
            }
            if (missed.gapAfter() != null) {
                log.warn("room {}: the history no longer holds everything this node missed; members are told to reload", room);
            }
            observer.caughtUp(missed.messages().size());
            if (feed.catchUp(missed.gapAfter(), missed.messages(), listener)) {
                catchUp(room, feed);
            }
        });
    }

    /**
     * What the room published after {@code from}: the messages when the history still holds them all.
     * When the epoch changed (Redis lost the room's keys) the new epoch is read from its start and
     * delivered behind a gap at its offset 0, since what followed {@code from} in the old one is gone;
     * when the history no longer reaches back, a gap at the room's current position and nothing else.
     */
    private CompletionStage<Missed> readMissed(String room, Position from) {
        int limit = settings.historyPolicy().of(room).size();
        return history(room, from, limit).thenCompose(slice -> {
            if (slice.complete()) {
                return CompletableFuture.completedFuture(new Missed(null, slice.messages()));
            }
            if (slice.current().epoch().equals(from.epoch())) {
                return CompletableFuture.completedFuture(new Missed(slice.current(), List.of()));
            }
            Position epochStart = new Position(slice.current().epoch(), 0);
            return history(room, epochStart, limit).thenApply(fromStart -> fromStart.complete()
                    ? new Missed(epochStart, fromStart.messages())
                    : new Missed(fromStart.current(), List.of()));
        });
    }

    /** A catch-up's reading: a gap to announce before the messages (null when there is none), and the messages. */
    private record Missed(Position gapAfter, List<RoomEvent.Message> messages) {
    }

    private void retryLater(Runnable task) {
        try {
            health.schedule(task, HEALTH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // The broker is closing: nobody is left to deliver to.
        }
    }

    private <T> CompletionStage<T> afterSubscribed(String room, Supplier<CompletionStage<T>> action) {
        CompletableFuture<Void> pending = subscriptions.get(room);
        if (pending == null || pending.isDone()) {
            return action.get();
        }
        return pending.handle((done, failure) -> null).thenCompose(ignored -> action.get());
    }

    /**
     * On the health thread: refreshes {@link #isReady} and retries failed subscriptions. Both connections
     * are pinged; on the pub/sub one the answer comes after the re-subscriptions Lettuce sends when it
     * reconnects, so "ready" also means this node receives its rooms' events again.
     */
    private void checkHealth() {
        CompletableFuture<String> commands = redis.ping().toCompletableFuture();
        CompletableFuture<String> events = pubSub.async().ping().toCompletableFuture();
        CompletableFuture.allOf(commands, events).orTimeout(HEALTH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((pongs, failure) -> answering = failure == null);
        retryFailed(subscriptions, keys::channel);
        retryFailed(users, keys::userChannel);
    }

    private void retryFailed(ConcurrentHashMap<String, CompletableFuture<Void>> subscribed,
                             Function<String, String> channelOf) {
        subscribed.forEach((name, subscription) -> {
            if (subscription.isCompletedExceptionally()) {
                CompletableFuture<Void> retry = new CompletableFuture<>();
                if (subscribed.replace(name, subscription, retry)) {
                    sendSubscribe(channelOf.apply(name), retry);
                }
            }
        });
    }

    /** For commands whose failure the caller can only note: transient events and presence bookkeeping. */
    private static void logFailure(CompletionStage<?> command, String what, String room, Runnable count) {
        command.exceptionally(failure -> {
            count.run();
            log.debug("{} in room {} failed: {}", what, room, failure.toString());
            return null;
        });
    }

    private static String millis(Duration duration) {
        return Long.toString(duration.toMillis());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
