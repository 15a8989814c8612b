package dev.roomcast.broker.redis;

import dev.roomcast.broker.Broker;
import dev.roomcast.broker.BrokerListener;
import dev.roomcast.broker.RoomHistory;
import dev.roomcast.room.Draft;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.OutcomeUnknownException;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker that lets several nodes share rooms through Redis (Lettuce): one Lua script per
 * publish appends to the room's stream and publishes on its channel atomically, each node
 * subscribes to the channels of the rooms it has members in, and history is read from the stream.
 * Keys and channels are named in {@link RedisKeys}; events are encoded by {@link RoomEventCodec}.
 *
 * <p>History: a room keeps at most the messages its {@link RoomHistory} allows, judging age by Redis's
 * clock, so node clocks do not matter. Every key has a TTL of {@code roomTtl}, refreshed by each publish:
 * a room nobody publishes to for that long is forgotten, and its next use starts a new epoch, so
 * positions from before answer {@code recovered:false}, as they do after a flush.
 *
 * <p>Threading: thread-safe. Listener callbacks run on a Lettuce I/O thread: each event is decoded
 * and handed to {@link BrokerListener#onEvent} immediately, which must not block (the hub hands it
 * to the owning loops and returns). All rooms share one pub/sub connection, so the events of a room
 * reach the listener in the order Redis published them, presence changes included
 * ({@link RedisPresenceStore} publishes them on the same channel). Command replies also complete on
 * Lettuce threads.
 *
 * <p>Outages: events published while the pub/sub connection was down are read back from each
 * subscribed room's history once it is up again ({@link RoomFeed}, {@link RoomCatchUp}), so members that
 * stayed connected miss nothing the history still holds. On Redis Cluster the same happens per room when its
 * slot moves to another master (a failover): its events are held from the move until the subscription is in
 * effect on the new master, then what was missed is read from there; other shards' rooms are not touched.
 */
public final class RedisBroker implements Broker {

    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);
    /** Lettuce's message when it rejects a command because it is disconnected (it has no own exception type). */
    private static final String REJECTED_WHILE_DISCONNECTED = "Currently not connected. Commands are rejected.";

    private final RedisBackend.Settings settings;
    private final RedisLink link;
    private final RedisKeys keys;
    private final LuaScript publishScript;
    private final LuaScript historyScript;
    /** Rooms this node wants events of. */
    private final ChannelSubscriptions rooms;
    /** What was delivered of each subscribed room; events of rooms without one are dropped. */
    private final ConcurrentHashMap<String, RoomFeed> feeds = new ConcurrentHashMap<>();
    private final RoomCatchUp catchUp;
    private volatile BrokerListener listener = event -> { };

    /** A broker on {@code link}, which it owns: closing the broker closes the link. */
    RedisBroker(RedisBackend.Settings settings, RedisLink link) {
        this.settings = settings;
        this.link = link;
        this.keys = link.keys;
        this.publishScript = link.script("publish.lua");
        this.historyScript = link.script("history.lua");
        this.catchUp = new RoomCatchUp(link, feeds, this::history, settings.historyPolicy(), () -> listener);
        this.rooms = new ChannelSubscriptions(link, keys::channel, new ChannelSubscriptions.Moves() {
            @Override
            public void moving(String room) {
                RoomFeed feed = feeds.get(room);
                if (feed != null) {
                    feed.hold();
                }
            }

            @Override
            public void resubscribed(String room) {
                RoomFeed feed = feeds.get(room);
                if (feed != null) {
                    catchUp.afterResubscribed(room, feed);
                }
            }
        });
        link.onMessage((channel, message) -> {
            if (keys.isRoomChannel(channel)) {
                deliver(channel, message);
            }
        });
        link.onPubSubOutage(() -> feeds.values().forEach(RoomFeed::hold), catchUp::afterReconnect);
    }

    @Override
    public void start(BrokerListener listener) {
        this.listener = listener;
    }

    /**
     * Runs {@code action} once this node's subscription to the room's channel, if one is in flight, is in effect or
     * failed: what this node publishes on the channel then reaches this node too.
     */
    <T> CompletionStage<T> afterSubscribed(String room, Supplier<CompletionStage<T>> action) {
        return rooms.afterSubscribed(room, action);
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
        rooms.afterSubscribed(room, () -> {
                    Position seen = lastDelivered(room);
                    return publishScript.run(link.redis, keys.publishKeys(room, draft.idempotencyKey()),
                            Position.newEpoch(), body, Integer.toString(history.size()), RedisLink.millis(history.maxAge()),
                            RedisLink.millis(settings.roomTtl()), keys.channel(room), draft.store() ? "1" : "0",
                            RedisLink.millis(settings.idempotencyWindow()), epochArg(seen), offsetArg(seen),
                            link.publishCommand);
                })
                .whenComplete((reply, failure) -> {
                    if (failure == null) {
                        published.complete(reply.isEmpty() ? null : new Position((String) reply.get(0), (Long) reply.get(1)));
                    } else if (rejectedUnsent(failure)) {
                        published.completeExceptionally(failure);
                    } else {
                        // A timeout does not stop the script: Redis may run it later (a stall), or Lettuce may send it
                        // again after reconnecting (#10).
                        published.completeExceptionally(new OutcomeUnknownException(
                                "Redis did not confirm the publish to " + room + ": " + RedisLink.rootMessage(failure), failure));
                    }
                });
        return published;
    }

    /**
     * The last message this node delivered of the room, or null: the scripts start a new epoch when the room's
     * position is behind it (a failover to a replica that had not received the newest messages), so the offsets
     * that follow never name two different messages.
     */
    private Position lastDelivered(String room) {
        RoomFeed feed = feeds.get(room);
        return feed == null ? null : feed.lastDelivered();
    }

    /** A position's epoch as the scripts take it: '' for none. */
    private static String epochArg(Position position) {
        return position == null ? "" : position.epoch();
    }

    private static String offsetArg(Position position) {
        return position == null ? "0" : Long.toString(position.offset());
    }

    /**
     * Whether the script certainly never ran: Lettuce refused it before sending it (disconnected), or a Redis Cluster
     * node refused it before running it ({@code CLUSTERDOWN}: the cluster does not serve every slot and
     * {@code cluster-require-full-coverage} is on).
     */
    private static boolean rejectedUnsent(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RedisException && (REJECTED_WHILE_DISCONNECTED.equals(cause.getMessage())
                    || cause instanceof RedisCommandExecutionException && cause.getMessage() != null
                    && cause.getMessage().startsWith("CLUSTERDOWN"))) {
                return true;
            }
        }
        return false;
    }

    /** Publishes on the room's channel only; nothing is kept. */
    @Override
    public void broadcast(RoomEvent event) {
        RedisLink.logFailure(link.publish(keys.channel(event.room()), RoomEventCodec.encodeTransient(event)),
                "broadcast", event.room(), link.observer::announceFailed);
    }

    @Override
    public CompletionStage<Void> subscribe(String room) {
        return rooms.subscribe(room, subscribed -> {
            RoomFeed feed = new RoomFeed(room);
            feeds.put(room, feed);
            // Where this node's view of the room starts, in case the connection drops before anything is delivered.
            subscribed.thenCompose(done -> history(room, null, 0)).thenAccept(slice -> feed.subscribedAt(slice.current()));
        });
    }

    @Override
    public CompletionStage<Void> unsubscribe(String room) {
        feeds.remove(room);
        return rooms.unsubscribe(room);
    }

    /**
     * Runs history.lua, which reads the position and the messages in one step. A read for a room this
     * node is still subscribing to waits for the subscription, so a joiner misses nothing between the
     * history it reads and the live events that follow.
     */
    @Override
    public CompletionStage<HistorySlice> history(String room, Position since, int limit) {
        RoomHistory history = settings.historyPolicy().of(room);
        return rooms.afterSubscribed(room, () -> {
                    Position seen = lastDelivered(room);
                    return historyScript.run(link.redis, keys.roomKeys(room), Position.newEpoch(),
                            epochArg(since), offsetArg(since), Integer.toString(limit), Integer.toString(history.size()),
                            RedisLink.millis(history.maxAge()), RedisLink.millis(settings.roomTtl()), epochArg(seen),
                            offsetArg(seen));
                })
                .thenApply(reply -> slice(reply, since, limit));
    }

    /** Whether the last pings (one per connection, every second) were answered; never blocks. */
    @Override
    public boolean isReady() {
        return link.isReady();
    }

    /** On Redis Cluster, the masters serving slots that did not answer the last pings while others did. */
    @Override
    public List<String> silentParts() {
        return link.silentMasters();
    }

    /** Closes the link, which the presence store and the direct router share: close them first. */
    @Override
    public void close() {
        link.close();
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
                catchUp.read(event.room(), feed);
            }
        } catch (RuntimeException e) {
            log.error("the broker listener failed on an event of room {}", event.room(), e);
        }
    }
}
