package dev.roomcast.broker.redis;

/**
 * Every Redis key and channel name Roomcast uses, built from the configured prefix. A room's keys
 * put the room name in braces, a Redis Cluster hash tag, so the keys one script touches share a slot;
 * so does the room's channel, which a script publishes to with {@code SPUBLISH} on Redis Cluster (a
 * sharded channel must be in the slot of the script's keys). Keys that are not a room's are each read and
 * written alone (never two in one command or script), so any slot serves them; a node's room list is
 * tagged with the node's id, so the lists spread over the shards. Channel names also carry the database
 * number, because Redis pub/sub ignores databases: two deployments on {@code /0} and {@code /3} of one Redis
 * with the same prefix must not hear each other (a cluster has only database 0).
 *
 * <ul>
 *   <li>{@code <prefix>{<room>}:position}: hash {@code epoch}, {@code offset}: the room's current position</li>
 *   <li>{@code <prefix>{<room>}:stream}: stream of the room's kept messages, one field {@code m} each</li>
 *   <li>{@code <prefix>db<n>:{<room>}:events}: pub/sub channel of every event of the room</li>
 *   <li>{@code <prefix>{<room>}:idempotency:<key>}: string {@code epoch:offset} of the first publish with that
 *       idempotency key in the room ({@code ""} for an ephemeral one), expiring after the idempotency window</li>
 *   <li>{@code <prefix>{<room>}:presence}: sorted set of the nodes with sessions in the room, each scored
 *       with the time (ms) its entries expire unless its heartbeat refreshes them</li>
 *   <li>{@code <prefix>{<room>}:presence:<node>}: hash user → sessions of that node in the room</li>
 *   <li>{@code <prefix>nodes}: hash node id → its open connections and when that entry expires</li>
 *   <li>{@code <prefix>node:{<node>}:rooms}: hash room → members of the node's rooms, rewritten by its heartbeat</li>
 *   <li>{@code <prefix>{lifecycle}:nodes}: sorted set of the nodes that hold webhook subjects, each scored with the
 *       time (ms) its lease ends unless it renews it</li>
 *   <li>{@code <prefix>{lifecycle}:node:<node>}: hash subject ({@code room:<room>}, {@code user:<user>}) → 1 of what
 *       that node holds, and the field {@code .} once the node wrote it whole</li>
 *   <li>{@code <prefix>db<n>:user:{<user>}}: pub/sub channel of the direct messages to a user, subscribed by
 *       every node that holds one of the user's sessions</li>
 *   <li>{@code <prefix>db<n>:node:{<node>}}: pub/sub channel of the answers to the questions that node asked
 *       about a user ({@code GET /v1/users/{user}}), subscribed by that node once it asks</li>
 * </ul>
 *
 * <p>Threading: thread-safe (immutable).
 */
final class RedisKeys {

    private final String prefix;
    /** Where channel names start: the prefix and the database. */
    private final String channelPrefix;

    RedisKeys(String prefix, int database) {
        this.prefix = prefix;
        this.channelPrefix = prefix + "db" + database + ":";
    }

    String position(String room) {
        return prefix + "{" + room + "}:position";
    }

    String stream(String room) {
        return prefix + "{" + room + "}:stream";
    }

    String channel(String room) {
        return channelPrefix + "{" + room + "}:events";
    }

    String presenceNodes(String room) {
        return prefix + "{" + room + "}:presence";
    }

    /** A node's presence hash of the room is this followed by the node's id. */
    String presenceOfNode(String room) {
        return prefix + "{" + room + "}:presence:";
    }

    /** Hash: node id → its members of a count room and when that entry expires, and {@code =} → the total last announced. */
    String occupancy(String room) {
        return prefix + "{" + room + "}:occupancy";
    }

    /** The two keys the presence scripts of one node touch, in the order they expect them. */
    String[] presenceKeys(String room, String node) {
        return new String[] {presenceNodes(room), presenceOfNode(room) + node};
    }

    /** Hash: node id → its open connections and when that entry expires (epoch ms), for the admin page. */
    String nodes() {
        return prefix + "nodes";
    }

    /** Hash: room → members on the node, rewritten by the node's heartbeat, for the rooms of every node. */
    String nodeRooms(String node) {
        return prefix + "node:{" + node + "}:rooms";
    }

    /** The two keys lifecycle_ledger.lua touches for a node, in the order it expects them; one hash tag, so one slot. */
    String[] ledgerKeys(String node) {
        return new String[] {prefix + "{lifecycle}:nodes", ledgerOfNode() + node};
    }

    /** A node's ledger hash is this followed by the node's id. */
    String ledgerOfNode() {
        return prefix + "{lifecycle}:node:";
    }

    String userChannel(String user) {
        return channelPrefix + "user:{" + user + "}";
    }

    /** Where the answers to a node's questions about users go. */
    String nodeChannel(String node) {
        return channelPrefix + "node:{" + node + "}";
    }

    /** Whether a channel is a node's (of answers); see {@link #nodeChannel}. */
    boolean isNodeChannel(String channel) {
        return channel.startsWith("node:{", channelPrefix.length());
    }

    /** Whether a channel is a room's: room channels start with a brace right after the channel prefix. */
    boolean isRoomChannel(String channel) {
        return channel.startsWith("{", channelPrefix.length());
    }

    /** Whether a channel is a user's; see {@link #userChannel}. */
    boolean isUserChannel(String channel) {
        return channel.startsWith("user:{", channelPrefix.length());
    }

    /** The two keys a room's scripts touch, in the order publish.lua and history.lua expect them. */
    String[] roomKeys(String room) {
        return new String[] {position(room), stream(room)};
    }

    /** The keys publish.lua touches: the room's two, and the idempotency key's when there is one. */
    String[] publishKeys(String room, String idempotencyKey) {
        return idempotencyKey == null
                ? roomKeys(room)
                : new String[] {position(room), stream(room), prefix + "{" + room + "}:idempotency:" + idempotencyKey};
    }
}
