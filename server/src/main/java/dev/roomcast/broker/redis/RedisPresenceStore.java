package dev.roomcast.broker.redis;

import dev.roomcast.broker.PresenceCounts;
import dev.roomcast.broker.PresenceStore;
import dev.roomcast.room.RoomEvent;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence shared through Redis. Each node keeps its own counts ({@link PresenceCounts}) and mirrors
 * them into one hash per room and node, which expires unless the node's heartbeat (every third of
 * {@code presenceLease}) refreshes it, so the users of a node that crashed disappear after the lease,
 * and the heartbeat of a node that survives announces them left (once per room and user, not for a
 * user connected elsewhere). A script per change counts and announces joined/left when a user's first
 * session in the room on any live node arrives or its last one leaves. The node list is one hash,
 * refreshed by the same heartbeat. A count room's members are one hash per room, node → members, set by each
 * node at most once a second (occupancy.lua announces the total when it changes) and refreshed by the heartbeat,
 * whose script also drops a crashed node's entry and announces the smaller total.
 *
 * <p>Order with the room's messages: every announcement is a PUBLISH on the room's channel from inside
 * the script that changes the count, so it is one event of the room's single pub/sub stream, which
 * {@link RedisBroker} delivers in the order Redis ran the scripts; and each node runs a room's scripts in
 * the order of its counts (they are sent inside the room's counting step, on one connection).
 *
 * <p>Threading: thread-safe. Changes are sent from the caller's thread inside the room's counting
 * step; the heartbeat runs on the link's health thread; replies complete on Lettuce I/O threads.
 */
public final class RedisPresenceStore implements PresenceStore {

    private static final Logger log = LoggerFactory.getLogger(RedisPresenceStore.class);

    private final RedisBackend.Settings settings;
    private final RedisLink link;
    private final RedisKeys keys;
    private final LuaScript changeScript;
    private final LuaScript refreshScript;
    private final LuaScript presenceScript;
    private final LuaScript nodeRoomsScript;
    private final LuaScript occupancyScript;
    /** Names this node's presence entries; random, so a restarted node never inherits a crashed one's. */
    private final String nodeId = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36);
    private final PresenceCounts counts = new PresenceCounts();
    private final UnannouncedChanges unannounced = new UnannouncedChanges();
    /** This node's members of each count room it has members in, as last set, for the heartbeat to refresh. */
    private final ConcurrentHashMap<String, Integer> occupied = new ConcurrentHashMap<>();
    private final RedisBroker broker;
    private final ScheduledFuture<?> heartbeat;
    /**
     * Per master ({@link RedisLink#shardOf}: one with one Redis, one per shard on Redis Cluster), the Redis process
     * the last heartbeat reached ({@code run_id}) and since when this node has seen it. A master that left keeps its
     * entry: a few per cluster node ever seen.
     */
    private final ConcurrentHashMap<String, RedisRun> runs = new ConcurrentHashMap<>();
    /** This node as {@link #announceNode} named it; null until then. */
    private volatile String announcedId;
    private volatile IntSupplier announcedConnections;
    private volatile Supplier<? extends Map<String, Integer>> announcedRooms;

    RedisPresenceStore(RedisBackend.Settings settings, RedisLink link, RedisBroker broker) {
        this.settings = settings;
        this.link = link;
        this.broker = broker;
        this.keys = link.keys;
        this.changeScript = link.script("presence_change.lua");
        this.refreshScript = link.script("presence_refresh.lua");
        this.presenceScript = link.script("presence.lua");
        this.nodeRoomsScript = link.script("node_rooms.lua");
        this.occupancyScript = link.script("occupancy.lua");
        long now = System.nanoTime();
        link.runIds().toCompletableFuture().join().forEach((shard, runId) -> runs.put(shard, new RedisRun(runId, now)));
        this.heartbeat = link.every(settings.presenceLease().dividedBy(3), this::heartbeat);
    }

    /** Runs presence_change.lua inside this node's counting step, so the room's scripts run in the counts' order. */
    @Override
    public void enter(String room, String user) {
        counts.add(room, user, count -> change(new RoomEvent.PresenceChange(room, user, true), count > 1));
    }

    @Override
    public void exit(String room, String user) {
        counts.remove(room, user, count -> change(new RoomEvent.PresenceChange(room, user, false), true));
    }

    /** Sums the live nodes' entries of the room: a user with sessions on two nodes is one entry. */
    @Override
    public CompletionStage<Map<String, Integer>> presence(String room) {
        return presenceScript.run(link.redis, new String[] {keys.presenceNodes(room)}, keys.presenceOfNode(room))
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

    @Override
    public void setOccupancy(String room, int members, boolean reannounce) {
        if (members == 0) {
            occupied.remove(room);
        } else {
            occupied.put(room, members);
        }
        runOccupancy(room, members, reannounce);
    }

    /** The total occupancy.lua last announced: what the room's members have been shown, or are about to be. */
    @Override
    public CompletionStage<Integer> occupancy(String room) {
        return link.redis.hget(keys.occupancy(room), "=").thenApply(total -> total == null ? 0 : Integer.parseInt(total));
    }

    /** Writes this node's entry in the node list and its list of rooms now, then with every heartbeat. */
    @Override
    public void announceNode(String nodeId, IntSupplier connections, Supplier<? extends Map<String, Integer>> rooms) {
        announcedConnections = connections;
        announcedRooms = rooms;
        announcedId = nodeId;
        link.execute(this::refreshNode);
    }

    /**
     * Reads the node list; entries whose node stopped refreshing them are left out (and removed). Node
     * clocks are compared with each other here, so a node whose clock is off by more than the presence lease
     * may be shown or hidden wrongly; the list is for people, nothing depends on it.
     */
    @Override
    public CompletionStage<Map<String, Integer>> nodes() {
        return link.redis.hgetall(keys.nodes()).thenApply(entries -> {
            long now = System.currentTimeMillis();
            Map<String, Integer> live = new TreeMap<>();
            entries.forEach((node, entry) -> {
                String[] countAndExpiry = entry.split(" ");
                if (Long.parseLong(countAndExpiry[1]) > now) {
                    live.put(node, Integer.parseInt(countAndExpiry[0]));
                } else {
                    RedisLink.logFailure(link.redis.hdel(keys.nodes(), node), "forget the stopped node", node,
                            link.observer::heartbeatFailed);
                }
            });
            String self = announcedId;
            if (self != null) {
                live.put(self, announcedConnections.getAsInt());
            }
            return live;
        });
    }

    /**
     * Reads the rooms of the other live nodes (each node's hash, as of its last heartbeat) and adds this
     * node's as they are now. One read per live node, of all its rooms: a listing for people and tools, not
     * for every request of a busy client.
     */
    @Override
    public CompletionStage<NavigableMap<String, Integer>> rooms() {
        return nodes().thenCompose(live -> {
            String self = announcedId;
            NavigableMap<String, Integer> all = new TreeMap<>(self == null ? Map.of() : announcedRooms.get());
            List<CompletableFuture<Map<String, String>>> others = live.keySet().stream().filter(node -> !node.equals(self))
                    .map(node -> link.redis.hgetall(keys.nodeRooms(node)).toCompletableFuture()).toList();
            return CompletableFuture.allOf(others.toArray(CompletableFuture[]::new)).thenApply(read -> {
                others.forEach(node -> node.join().forEach((room, members) ->
                        all.merge(room, Integer.parseInt(members), Integer::sum)));
                return all;
            });
        });
    }

    /** Best effort: a node that stops cleanly leaves the node list and the rooms at once instead of after its lease. */
    @Override
    public void close() {
        String self = announcedId;
        announcedId = null;
        heartbeat.cancel(false);
        if (self != null) {
            link.redis.hdel(keys.nodes(), self).thenCompose(removed -> link.redis.del(keys.nodeRooms(self)))
                    .toCompletableFuture().completeOnTimeout(0L, 1, TimeUnit.SECONDS).exceptionally(unreachable -> 0L).join();
        }
    }

    /**
     * Runs the change's script, unless an earlier change of the room is still unannounced: then this one
     * waits with it, in order. A failure keeps the change for the heartbeats after Redis answers again,
     * which rewrite this node's counts and announce the change then, if it still is one (#10).
     *
     * @param presentBefore whether the user had a session in the room here before this change
     */
    private void change(RoomEvent.PresenceChange change, boolean presentBefore) {
        String room = change.room();
        RedisRun run = runs.get(link.shardOf(keys.channel(room)));
        String runId = run == null ? null : run.runId();
        if (unannounced.has(room)) {
            unannounced.add(room, change.user(), presentBefore, runId);
            return;
        }
        // The first member of a room on this node enters while the node's subscription to the room's channel may
        // still be on its way: the change waits for it, in line with the room's publishes, or this node would not
        // hear its own joined.
        broker.afterSubscribed(room, () -> changeScript.run(link.redis, keys.presenceKeys(room, nodeId), nodeId,
                change.user(), change.joined() ? "1" : "-1", RedisLink.millis(settings.presenceLease()), keys.channel(room),
                RoomEventCodec.encodeTransient(change), keys.presenceOfNode(room), link.publishCommand)).exceptionally(failure -> {
                    link.observer.announceFailed();
                    unannounced.add(room, change.user(), presentBefore, runId);
                    log.debug("presence change in room {} failed, to be announced by a heartbeat: {}", room, failure.toString());
                    return null;
                });
    }

    /**
     * Sets this node's entry of the room's occupancy and announces the total if it changed. A failure is only
     * counted: the heartbeat sets the entry again a third of a lease later.
     */
    private void runOccupancy(String room, int members, boolean reannounce) {
        String[] event = RoomEventCodec.occupancyAround(room);
        occupancyScript.run(link.redis, new String[] {keys.occupancy(room)}, nodeId, Integer.toString(members),
                RedisLink.millis(settings.presenceLease()), keys.channel(room), event[0], event[1], reannounce ? "1" : "0",
                link.publishCommand)
                .exceptionally(failure -> {
                    link.observer.announceFailed();
                    log.debug("occupancy of room {} failed, to be set again by a heartbeat: {}", room, failure.toString());
                    return null;
                });
    }

    /** On the health thread: this node's entry in the node list, with its connections now, and its rooms. */
    private void refreshNode() {
        String self = announcedId;
        if (self == null) {
            return;
        }
        long lease = settings.presenceLease().toMillis();
        String entry = announcedConnections.getAsInt() + " " + (System.currentTimeMillis() + lease);
        RedisLink.logFailure(link.redis.hset(keys.nodes(), self, entry), "node heartbeat", self, link.observer::heartbeatFailed);
        RedisLink.logFailure(link.redis.pexpire(keys.nodes(), lease), "node heartbeat", self, link.observer::heartbeatFailed);
        Map<String, Integer> rooms = announcedRooms.get();
        List<String> args = new ArrayList<>(1 + 2 * rooms.size());
        args.add(Long.toString(lease));
        rooms.forEach((room, members) -> {
            args.add(room);
            args.add(Integer.toString(members));
        });
        RedisLink.logFailure(nodeRoomsScript.run(link.redis, new String[] {keys.nodeRooms(self)}, args.toArray(String[]::new)),
                "node heartbeat", self, link.observer::heartbeatFailed);
    }

    /**
     * On the health thread, then on a Lettuce I/O thread once each master said which process it is: refreshes this
     * node's entries of the count rooms (dropping crashed nodes' and announcing the new totals), rewrites
     * this node's presence entries of every room it has sessions in (or changes not yet announced) whose master
     * answered, announces those changes, and announces the users of nodes whose lease ran out (crashed) as left,
     * once per room and user. Asking for the process first is how a change lost in a restart is told
     * from one a stalled Redis may still run (see {@link UnannouncedChanges}); on Redis Cluster each shard's
     * master is asked, so a shard whose master restarted empty has its rooms rebuilt as one Redis would.
     */
    private void heartbeat() {
        refreshNode();
        occupied.forEach((room, members) -> runOccupancy(room, members, false));
        link.runIds().thenAccept(answered -> {
            long now = System.nanoTime();
            answered.forEach((shard, runId) -> runs.compute(shard, (same, seen) -> {
                if (seen != null && !seen.runId().equals(runId)) {
                    log.info("{} restarted (a new process answers); presence is rebuilt from this node's counts",
                            link.describeShard(shard));
                }
                return seen != null && seen.runId().equals(runId) ? seen : new RedisRun(runId, now);
            }));
            if (answered.isEmpty()) {
                link.observer.heartbeatFailed();
            }
            Set<String> rooms = new HashSet<>(counts.rooms());
            rooms.addAll(unannounced.rooms());
            rooms.forEach(room -> {
                String shard = link.shardOf(keys.channel(room));
                if (shard != null && answered.containsKey(shard)) {
                    counts.withRoom(room, users -> refresh(room, users, runs.get(shard)));
                }
            });
        }).exceptionally(failure -> {
            link.observer.heartbeatFailed();
            log.debug("presence heartbeat failed: {}", failure.toString());
            return null;
        });
    }

    /** In the room's counting step: this node's counts of the room, and its changes to reconcile now. */
    private void refresh(String room, Map<String, Integer> users, RedisRun run) {
        boolean restartSettled = System.nanoTime() - run.sinceNanos() >= settings.presenceLease().toNanos();
        List<UnannouncedChanges.Due> reconciled = unannounced.due(room, run.runId(), restartSettled);
        String[] left = RoomEventCodec.presenceChangeAround(room, false);
        String[] joined = RoomEventCodec.presenceChangeAround(room, true);
        List<String> args = new ArrayList<>(10 + 2 * reconciled.size() + 2 * users.size());
        args.addAll(List.of(nodeId, RedisLink.millis(settings.presenceLease()), keys.channel(room), keys.presenceOfNode(room),
                left[0], left[1], joined[0], joined[1], link.publishCommand, Integer.toString(reconciled.size())));
        reconciled.forEach(due -> {
            args.add(due.user());
            args.add(due.told().arg);
        });
        users.forEach((user, sessions) -> {
            args.add(user);
            args.add(Integer.toString(sessions));
        });
        refreshScript.run(link.redis, keys.presenceKeys(room, nodeId), args.toArray(String[]::new)).whenComplete((done, failure) -> {
            if (failure != null) {
                link.observer.heartbeatFailed();
                log.debug("presence heartbeat in room {} failed: {}", room, failure.toString());
            } else if (!reconciled.isEmpty()) {
                unannounced.settled(room, reconciled);
            }
        });
    }

    /** One Redis process serving a master's place: its {@code run_id}, and since when this node has seen it. */
    private record RedisRun(String runId, long sinceNanos) {
    }
}
