package dev.roomcast.broker.redis;

import dev.roomcast.broker.Broker;
import dev.roomcast.broker.BrokerListener;
import dev.roomcast.broker.DirectMessage;
import dev.roomcast.broker.Draft;
import dev.roomcast.broker.HistorySlice;
import dev.roomcast.broker.LocalBroker;
import dev.roomcast.broker.Position;
import dev.roomcast.broker.PresenceCounts;
import dev.roomcast.broker.RoomEvent;
import dev.roomcast.broker.RoomHistory;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * that crashed disappear after {@code presenceTtl}. A script per change counts and announces joined/left
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
     * @param presenceTtl       how long a node's presence entries outlive its last heartbeat (sent every third of it)
     * @param idempotencyWindow how long a publish's idempotency key is remembered
     */
    public record Settings(String uri, String prefix, RoomHistory.HistoryPolicy historyPolicy, Duration roomTtl,
                           Duration presenceTtl, Duration idempotencyWindow) {

        /** Every room keeps {@code historySize} messages no older than {@code historyMaxAge}; keys outlive them by {@code roomTtl}. */
        public Settings(String uri, String prefix, int historySize, Duration historyMaxAge, Duration roomTtl,
                        Duration presenceTtl) {
            this(uri, prefix, RoomHistory.uniform(historySize, historyMaxAge), roomTtl, presenceTtl,
                    LocalBroker.DEFAULT_IDEMPOTENCY_WINDOW);
        }
    }

    /** Presence of a node that stops refreshing it is gone after this; its heartbeat comes every 10 s. */
    public static final Duration DEFAULT_PRESENCE_TTL = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration HEALTH_INTERVAL = Duration.ofSeconds(1);
    /** Reads of a room's missed messages after an outage, one a second, before delivering without them. */
    private static final int CATCH_UP_ATTEMPTS = 30;

    private final Settings settings;
    private final RedisKeys keys;
    private final RedisClient client;
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
    private final ScheduledExecutorService health;
    /** Rooms this node wants events of, each with its latest SUBSCRIBE; a failed one is retried. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> subscriptions = new ConcurrentHashMap<>();
    /** Users this node holds sessions of, each with its latest SUBSCRIBE; a failed one is retried. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> users = new ConcurrentHashMap<>();
    /** What was delivered of each subscribed room; events of rooms without one are dropped. */
    private final ConcurrentHashMap<String, RoomFeed> feeds = new ConcurrentHashMap<>();
    private volatile BrokerListener listener = event -> { };
    private volatile boolean answering = true;

    private RedisBroker(Settings settings, RedisClient client, StatefulRedisConnection<String, String> connection,
                        StatefulRedisPubSubConnection<String, String> pubSub) {
        this.settings = settings;
        this.keys = new RedisKeys(settings.prefix());
        this.client = client;
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
                catchUp();
            }
        });
        this.health = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "roomcast-redis-health");
            thread.setDaemon(true);
            return thread;
        });
        health.scheduleWithFixedDelay(this::checkHealth, HEALTH_INTERVAL.toMillis(), HEALTH_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        long heartbeat = Math.max(1, settings.presenceTtl().toMillis() / 3);
        health.scheduleWithFixedDelay(this::refreshPresence, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
    }

    /**
     * Connects to Redis and loads the scripts; blocks, so call it at startup. Throws
     * {@link IllegalStateException} with a one-line reason if Redis cannot be reached.
     */
    public static RedisBroker connect(Settings settings) {
        RedisURI uri = RedisURI.create(settings.uri());
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                // Fail a publish at once while Redis is unreachable instead of queueing it without bound.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        StatefulRedisConnection<String, String> connection = null;
        try {
            connection = client.connect(StringCodec.UTF8);
            return new RedisBroker(settings, client, connection, client.connectPubSub(StringCodec.UTF8));
        } catch (RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
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
        RoomHistory history = settings.historyPolicy().of(room);
        return afterSubscribed(room, () -> publishScript.run(redis, keys.publishKeys(room, draft.idempotencyKey()),
                        Position.newEpoch(), body, Integer.toString(history.size()), millis(history.maxAge()),
                        millis(settings.roomTtl()), keys.channel(room), draft.store() ? "1" : "0",
                        millis(settings.idempotencyWindow())))
                .thenApply(reply -> reply.isEmpty() ? null : new Position((String) reply.get(0), (Long) reply.get(1)));
    }



    /** Publishes on the room's channel only; nothing is kept. */
    @Override
    public void broadcast(RoomEvent event) {
        logFailure(redis.publish(keys.channel(event.room()), RoomEventCodec.encodeTransient(event)), "broadcast", event.room());
    }

    @Override
    public CompletionStage<Void> subscribe(String room) {
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        CompletableFuture<Void> existing = subscriptions.putIfAbsent(room, subscribed);
        if (existing != null) {
            return existing;
        }
        RoomFeed feed = new RoomFeed();
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

    /** A failure loses only the announcement: the next heartbeat writes this node's counts again. */
    private void changePresence(RoomEvent.PresenceChange change) {
        String room = change.room();
        logFailure(changePresenceScript.run(redis, keys.presenceKeys(room, nodeId), nodeId, change.user(),
                change.joined() ? "1" : "-1", millis(settings.presenceTtl()), keys.channel(room),
                RoomEventCodec.encodeTransient(change), keys.presenceOfNode(room)), "presence change", room);
    }

    /** On the health thread: rewrites this node's presence entries of every room it has sessions in. */
    private void refreshPresence() {
        String ttl = millis(settings.presenceTtl());
        presence.forEachRoom((room, users) -> {
            List<String> args = new ArrayList<>(2 + 2 * users.size());
            args.add(nodeId);
            args.add(ttl);
            users.forEach((user, sessions) -> {
                args.add(user);
                args.add(Integer.toString(sessions));
            });
            logFailure(refreshScript.run(redis, keys.presenceKeys(room, nodeId), args.toArray(String[]::new)),
                    "presence heartbeat", room);
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
        pubSub.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
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
            deliverDirect(channel, message);
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
            feed.offer(event, listener);
        } catch (RuntimeException e) {
            log.error("the broker listener failed on an event of room {}", event.room(), e);
        }
    }

    private void deliverDirect(String channel, String message) {
        DirectMessage direct;
        try {
            direct = RoomEventCodec.decodeDirect(message);
        } catch (IllegalArgumentException e) {
            log.warn("dropped a direct message on {} that this node cannot read: {}", channel, e.getMessage());
            return;
        }
        try {
            listener.onDirect(direct);
        } catch (RuntimeException e) {
            log.error("the broker listener failed on a direct message", e);
        }
    }

    private void sendSubscribe(String channel, CompletableFuture<Void> subscribed) {
        pubSub.async().subscribe(channel).whenComplete((done, failure) -> {
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
        pubSub.async().ping().whenComplete((pong, failure) -> feeds.forEach((room, feed) -> catchUp(room, feed, 1)));
    }

    /**
     * Reads what the room missed and delivers it before the held events. The command connection
     * reconnects on its own schedule, so a read that fails is retried every second for a while
     * before the node gives up on the gap and delivers what it holds.
     */
    private void catchUp(String room, RoomFeed feed, int attempt) {
        Position from = feed.resumeFrom();
        if (from == null) {
            feed.catchUp(List.of(), listener);
            return;
        }
        history(room, from, settings.historyPolicy().of(room).size()).whenComplete((slice, readFailure) -> {
            if (readFailure != null && attempt < CATCH_UP_ATTEMPTS && feeds.get(room) == feed) {
                health.schedule(() -> catchUp(room, feed, attempt + 1), HEALTH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            if (readFailure != null) {
                log.warn("room {}: could not read what was missed during the outage: {}", room, readFailure.toString());
            } else if (!slice.complete()) {
                log.warn("room {}: the history no longer holds everything published during the outage", room);
            }
            feed.catchUp(readFailure == null ? slice.messages() : List.of(), listener);
        });
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
    private static void logFailure(CompletionStage<?> command, String what, String room) {
        command.exceptionally(failure -> {
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
