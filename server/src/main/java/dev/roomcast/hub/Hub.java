package dev.roomcast.hub;

import dev.roomcast.broker.Backend;
import dev.roomcast.broker.Broker;
import dev.roomcast.broker.DirectListener;
import dev.roomcast.broker.DirectRouter;
import dev.roomcast.broker.PresenceStore;
import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.Draft;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.Payload;
import dev.roomcast.room.Position;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.room.RoomEvent;
import dev.roomcast.room.UserDisconnect;
import dev.roomcast.room.UserReport;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What endpoints call: join (with history replay and exact recovery), leave, broadcasts to a room
 * and to a user, presence. Membership lives in one {@link LoopShard} per loop; a broadcast prepares
 * its bytes once and hands each loop with members a single task.
 *
 * <p>Delivery verbs name their scope, as Phoenix's do: {@link #broadcast} reaches every member of
 * the room on every node (all but the publisher's session when {@link Publication#exceptSession}
 * is set), {@code localBroadcast} this node's members, {@link LoopShard#loopBroadcast} one loop's
 * members and {@link Session#push} one session; {@link #broadcastToUser} reaches every session of
 * one user on every node, {@code localBroadcastToUser} those on this node and
 * {@link Session#pushDirect} one of them.
 *
 * <p>Threading: methods that take a {@link Session} must be called on that session's loop; the
 * others are safe from any thread. A publish travels hub → broker → every node's hub → local
 * sessions; a direct message goes hub → direct router → the hubs of the nodes that hold its recipient →
 * the recipient's sessions there. Presence is counted by the presence store, across nodes.
 */
public final class Hub {

    private static final Logger log = LoggerFactory.getLogger(Hub.class);

    private final LoopShard[] shards;
    private final RoomDirectory directory = new RoomDirectory();
    private final UserSessions users = new UserSessions();
    private final Broker broker;
    private final PresenceStore presence;
    private final DirectRouter directs;
    private final SharedEventFactory sharedEvents;
    private final Clock clock;
    /** How much presence a room keeps: joined/left (full), a count, or nothing; per namespace. */
    private final Function<String, PresenceMode> presenceModes;
    private final Occupancy occupancy;
    /** Told of rooms and users coming and going on this node; replaced once, before any session, by {@link #hear}. */
    private volatile Lifecycle lifecycle = Lifecycle.NONE;

    /** A hub whose rooms all keep presence and whose delivery latency nobody hears (tests). */
    public Hub(List<? extends Loop> loops, Backend backend, SharedEventFactory sharedEvents, Clock clock) {
        this(loops, backend, sharedEvents, clock, nanos -> { }, room -> PresenceMode.FULL);
    }

    /** A hub whose rooms all keep presence. */
    public Hub(List<? extends Loop> loops, Backend backend, SharedEventFactory sharedEvents, Clock clock, DeliveryLatency latency) {
        this(loops, backend, sharedEvents, clock, latency, room -> PresenceMode.FULL);
    }

    /**
     * @param latency       hears one sample per loop batch of live events flushed; see {@link DeliveryLatency}
     * @param presenceModes how much presence a room keeps (per namespace); any thread, cheap
     */
    public Hub(List<? extends Loop> loops, Backend backend, SharedEventFactory sharedEvents, Clock clock, DeliveryLatency latency,
               Function<String, PresenceMode> presenceModes) {
        this.presenceModes = presenceModes;
        this.shards = new LoopShard[loops.size()];
        for (Loop loop : loops) {
            if (shards[loop.index()] != null) {
                throw new IllegalArgumentException("two loops with index " + loop.index());
            }
            shards[loop.index()] = new LoopShard(loop, latency);
        }
        this.broker = backend.broker();
        this.presence = backend.presence();
        this.directs = backend.directs();
        this.sharedEvents = sharedEvents;
        this.clock = clock;
        this.occupancy = new Occupancy(presence, directory::memberCount, this::fanOut);
        broker.start(this::localBroadcast);
        directs.start(new DirectListener() {
            @Override
            public void onDirect(DirectMessage message) {
                localBroadcastToUser(message);
            }

            @Override
            public void onDisconnect(UserDisconnect disconnect) {
                CloseReason reason = disconnect.reconnect() ? CloseReason.DISCONNECTED : CloseReason.DISCONNECTED_FOR_GOOD;
                users.of(disconnect.user()).forEach(session -> session.close(reason, disconnect.reason()));
            }

            @Override
            public CompletionStage<UserReport> onAsk(String user) {
                return localUser(user);
            }
        });
    }

    /** Tells {@code lifecycle} of rooms and users coming and going from now on; call before any session connects. */
    public void hear(Lifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    /**
     * Makes the session reachable by direct messages to its user from any node. On the session's
     * loop. Completes once it is (at once on a single node; after the broker's subscription with Redis).
     */
    public CompletionStage<Void> connect(Session session) {
        return users.add(session, user -> {
            lifecycle.userOnline(user);
            return directs.addUser(user);
        });
    }

    /**
     * Adds the session to the room for live events only. On the session's loop. Returns false if
     * it already was a member.
     */
    public boolean join(Session session, String room) {
        return register(session, room);
    }

    /**
     * Adds the session to the room, replays history as {@code replay} asks and then delivers live
     * events, with no gap and no duplicate between the two. On the session's loop.
     *
     * <p>Membership is registered first and the session's live events for the room are held
     * while the history is read; then, on the session's loop, {@code onReady} runs (so the
     * endpoint can answer before anything else arrives), the replay is delivered, and after it
     * the held events newer than the position the join took effect at.
     *
     * @param onReady called exactly once, on the session's loop, before the replayed messages
     */
    public void join(Session session, String room, Replay replay, Consumer<JoinOutcome> onReady) {
        if (!register(session, room)) {
            onReady.accept(new JoinOutcome.AlreadyJoined());
            return;
        }
        shardOf(session).hold(room, session);
        broker.history(room, replay.since(), replay.limit()).whenComplete((slice, failure) -> {
            try {
                // Always a new task, even when the read completed inline: the caller answers first.
                session.loop().execute(() -> finishJoin(session, room, replay, slice, failure, onReady));
            } catch (RejectedExecutionException shuttingDown) {
                log.debug("{}: loop stopped before joining {}", session, room);
            }
        });
    }

    /**
     * Removes the session from the room and tells the remaining members. On the session's loop.
     * Returns false if it was not a member.
     */
    public boolean leave(Session session, String room) {
        LoopShard shard = shardOf(session);
        if (!shard.remove(room, session)) {
            return false;
        }
        directory.removeMember(room, shard, !shard.hasMembers(room), change -> {
            if (change == RoomDirectory.Change.LAST_MEMBER) {
                lifecycle.roomVacated(room);
                broker.unsubscribe(room).exceptionally(failure -> logFailure("unsubscribe from room", room, failure));
            }
        });
        switch (presenceModes.apply(room)) {
            case FULL -> {
                broker.broadcast(new RoomEvent.SessionLeft(room, session.user()));
                presence.exit(room, session.user());
            }
            case COUNT -> occupancy.memberLeft(room);
            case OFF -> { }
        }
        return true;
    }

    /** Removes the session from every room it is in and from direct messages. On the session's loop. */
    public void disconnect(Session session) {
        users.remove(session, user -> {
            lifecycle.userOffline(user);
            directs.removeUser(user).exceptionally(failure -> logFailure("stop direct messages to user", user, failure));
        });
        LoopShard shard = shardOf(session);
        for (String room : shard.roomsOf(session)) {
            leave(session, room);
        }
    }

    /** Whether the session is a member of the room. On the session's loop. */
    public boolean isMember(Session session, String room) {
        return shardOf(session).isMember(room, session);
    }

    /** How many rooms the session is in. On the session's loop. */
    public int roomCount(Session session) {
        return shardOf(session).roomsOf(session).size();
    }

    /** Broadcasts a text message to every member of the room on every node. Any thread. */
    public CompletionStage<Position> broadcast(String room, String from, String text) {
        return broadcast(room, new Publication(from, Payload.text(text), true, null, null));
    }

    /**
     * Broadcasts a text message from {@code session}, which nothing answers (the plain-text endpoints), to
     * every member of the room on every node. On the session's loop. Since no answer has to go out first,
     * this loop's members may be given the message within the call, without a task (see
     * {@link LoopShard#broadcast}): a message in a room of one costs no hop.
     */
    public CompletionStage<Position> broadcastFrom(Session session, String room, String text) {
        LoopShard shard = shardOf(session);
        shard.deliverAtOnce(true);
        try {
            return broadcast(room, session.user(), text);
        } finally {
            shard.deliverAtOnce(false);
        }
    }

    /**
     * Broadcasts a message to every member of the room on every node, stamped with the hub's clock, and
     * stores it in the room's history unless it is ephemeral. Any thread. Completes
     * with its position (the first publish's, for a repeated idempotency key), or null when it is not
     * stored and so has none.
     */
    public CompletionStage<Position> broadcast(String room, Publication publication) {
        Draft draft = new Draft(publication.from(), publication.payload(), clock.millis(), publication.store(),
                publication.exceptSession(), publication.idempotencyKey());
        CompletionStage<Position> published = broker.publish(room, draft);
        Lifecycle heard = lifecycle;
        if (heard != Lifecycle.NONE) {
            published.thenAccept(position -> heard.messagePublished(room, draft, position));
        }
        return published;
    }

    /**
     * Sends a private message to every session of user {@code to} that accepts direct messages, on
     * every node. Any thread. Completes with whether the user has such a session anywhere.
     */
    public CompletionStage<Boolean> broadcastToUser(String from, String to, String text) {
        return directs.direct(new DirectMessage(from, to, text, clock.millis()));
    }

    /**
     * Closes every session of the user that accepts direct messages, on every node, with {@code reason} as the
     * close phrase: code 4000, or 4001 when the clients must not reconnect. Any thread. Completes with whether
     * the user has such a session anywhere.
     */
    public CompletionStage<Boolean> disconnectUser(String user, String reason, boolean reconnect) {
        return directs.disconnectUser(new UserDisconnect(user, reason, reconnect));
    }

    /**
     * The user's sessions on every node that accept direct messages and the rooms they are in (another node's as
     * it answered within {@link dev.roomcast.broker.DirectRouter#ASK_TIMEOUT}). Any thread.
     */
    public CompletionStage<UserSummary> user(String user) {
        return directs.ask(user).thenApply(reports -> {
            TreeSet<String> rooms = new TreeSet<>();
            int sessions = 0;
            for (UserReport report : reports) {
                sessions += report.sessions();
                rooms.addAll(report.rooms());
            }
            return new UserSummary(sessions, List.copyOf(rooms));
        });
    }

    /** The user's sessions on this node that accept direct messages and their rooms, read on each session's loop. */
    private CompletionStage<UserReport> localUser(String user) {
        List<CompletableFuture<List<String>>> roomsOfSessions = users.of(user).stream().map(session -> {
            CompletableFuture<List<String>> rooms = new CompletableFuture<>();
            try {
                session.loop().execute(() -> rooms.complete(List.copyOf(shardOf(session).roomsOf(session))));
            } catch (RejectedExecutionException shuttingDown) {
                rooms.complete(List.of());
            }
            return rooms;
        }).toList();
        return CompletableFuture.allOf(roomsOfSessions.toArray(CompletableFuture[]::new)).thenApply(done -> {
            TreeSet<String> rooms = new TreeSet<>();
            roomsOfSessions.forEach(sessionRooms -> rooms.addAll(sessionRooms.join()));
            return new UserReport(roomsOfSessions.size(), List.copyOf(rooms));
        });
    }

    /** Users in the room on every node with their session counts, sorted by user. Any thread. */
    public CompletionStage<Map<String, Integer>> presence(String room) {
        return presence.presence(room);
    }

    /** The members of a count room on every node, as last announced to them (at most a second old). Any thread. */
    public CompletionStage<Integer> occupancy(String room) {
        return presence.occupancy(room);
    }

    /** Reads the room's history; see {@link Broker#history}. Any thread. */
    public CompletionStage<HistorySlice> history(String room, Position since, int limit) {
        return broker.history(room, since, limit);
    }

    /** Rooms with members on this node and their member counts, sorted by name. Any thread. */
    public NavigableMap<String, Integer> rooms() {
        return directory.snapshot();
    }

    /**
     * Rooms with members on any node sharing this node's rooms, sorted by name, with the members of every
     * node summed (another node's as of its last presence heartbeat). Any thread.
     */
    public CompletionStage<NavigableMap<String, Integer>> roomsOfEveryNode() {
        return presence.rooms();
    }

    /** How many rooms have members on this node. Any thread; allocation-free. */
    public int roomCount() {
        return directory.roomCount();
    }

    /** The live nodes sharing this node's rooms, this one included, with their open connections. Any thread. */
    public CompletionStage<Map<String, Integer>> nodes() {
        return presence.nodes();
    }

    /** Whether the broker can reach its backing service, i.e. this node can serve rooms. Any thread. */
    public boolean brokerReady() {
        return broker.isReady();
    }

    /** While the broker is ready, its parts that do not answer, whose rooms pause (see {@link Broker#silentParts}). Any thread. */
    public List<String> brokerSilentParts() {
        return broker.silentParts();
    }

    /** Members of the room on this node. Any thread. */
    public int memberCount(String room) {
        return directory.memberCount(room);
    }

    /** Registers a membership in the shard, the directory and presence; false if it already existed. */
    private boolean register(Session session, String room) {
        LoopShard shard = shardOf(session);
        if (!shard.add(room, session)) {
            return false;
        }
        directory.addMember(room, shard, change -> {
            if (change == RoomDirectory.Change.FIRST_MEMBER) {
                lifecycle.roomOccupied(room);
                broker.subscribe(room).exceptionally(failure -> logFailure("subscribe to room", room, failure));
            }
        });
        switch (presenceModes.apply(room)) {
            case FULL -> presence.enter(room, session.user());
            case COUNT -> {
                occupancy.start();
                occupancy.memberJoined(room);
            }
            case OFF -> { }
        }
        return true;
    }

    /** Second half of {@link #join(Session, String, Replay, Consumer)}, on the session's loop. */
    private void finishJoin(Session session, String room, Replay replay, HistorySlice slice, Throwable failure,
                            Consumer<JoinOutcome> onReady) {
        List<SharedEvent> held = shardOf(session).stopHolding(room, session);
        if (failure != null) {
            log.warn("{}: history of {} failed: {}", session, room, failure.toString());
            if (held != null) {
                held.forEach(SharedEvent::release);
                leave(session, room);
            }
            onReady.accept(new JoinOutcome.Failed(failure));
            return;
        }
        Position current = slice.current();
        JoinOutcome.Recovery recovery = replay.recovers() ? recoveryOf(replay.since(), slice) : null;
        List<RoomEvent.Message> replayed = recovery == null || recovery.recovered() ? slice.messages() : List.of();
        onReady.accept(new JoinOutcome.Joined(current, recovery, replayed.size()));
        if (held == null) {
            return;
        }
        boolean unflushed = false;
        for (RoomEvent.Message message : replayed) {
            SharedEvent prepared = sharedEvents.prepare(message);
            try {
                unflushed |= session.push(prepared);
            } finally {
                prepared.release();
            }
        }
        Position delivered = current;
        for (SharedEvent event : held) {
            try {
                if (isAfter(event.event(), delivered) && !LoopShard.skips(event.event(), session)) {
                    unflushed |= session.push(event);
                    if (event.event() instanceof RoomEvent.Message message && message.stored()) {
                        delivered = message.position();
                    }
                }
            } finally {
                event.release();
            }
        }
        // A live copy of a message up to here may still be on its way (Redis: another connection than the read's).
        shardOf(session).openSeam(room, session, delivered);
        if (unflushed) {
            session.flush();
        }
    }

    private static JoinOutcome.Recovery recoveryOf(Position since, HistorySlice slice) {
        Position current = slice.current();
        boolean sameEpoch = since.epoch().equals(current.epoch());
        long missed = sameEpoch ? Math.max(0, current.offset() - since.offset()) : current.offset();
        return new JoinOutcome.Recovery(slice.complete(), missed);
    }

    /** Whether a held event is news to a member that joined at {@code position}. */
    private static boolean isAfter(RoomEvent event, Position position) {
        if (!(event instanceof RoomEvent.Message message) || !message.stored()) {
            return true;
        }
        Position at = message.position();
        return !at.epoch().equals(position.epoch()) || at.offset() > position.offset();
    }

    /** Called on the router's thread: hands a direct message to each of its recipient's sessions on this node. */
    private void localBroadcastToUser(DirectMessage message) {
        for (Session recipient : users.of(message.to())) {
            try {
                recipient.loop().execute(() -> recipient.pushDirect(message));
            } catch (RejectedExecutionException shuttingDown) {
                log.debug("{}: loop stopped before a direct message", recipient);
            }
        }
    }

    /**
     * Called on the broker's thread: hands the event to each loop of this node with members, in order, except a
     * count room's total, which waits for the next {@link Occupancy} tick so members get at most one a tick.
     */
    private void localBroadcast(RoomEvent event) {
        if (event instanceof RoomEvent.Occupancy total) {
            occupancy.heard(total);
        } else {
            fanOut(event);
        }
    }

    /**
     * Hands the event to each loop of this node with members, in order (see {@link LoopShard#broadcast}: within
     * {@link #broadcastFrom}, to the publisher's own loop at once). The broker calls this as soon as the
     * event has its position, so this is where its delivery latency starts: one clock read per event and node,
     * none per member.
     */
    private void fanOut(RoomEvent event) {
        LoopShard[] targets = directory.shardsOf(event.room());
        if (targets.length == 0) {
            return;
        }
        long reachedHubAt = System.nanoTime();
        SharedEvent prepared = sharedEvents.prepare(event);
        try {
            for (LoopShard target : targets) {
                target.broadcast(event.room(), prepared, reachedHubAt);
            }
        } finally {
            prepared.release();
        }
    }

    /** Stops the count rooms' tick; the broker and the loops are closed by their owners. Any thread, once. */
    public void close() {
        occupancy.close();
    }

    private LoopShard shardOf(Session session) {
        return shards[session.loop().index()];
    }

    private static Void logFailure(String action, String name, Throwable failure) {
        log.warn("broker failed to {} {}: {}", action, name, failure.toString());
        return null;
    }
}
