package dev.roomcast.config;

import java.time.Duration;

/**
 * Whether rooms are this node's alone or shared through Redis with every node on the same Redis
 * and prefix.
 *
 * <p>Threading: immutable.
 */
public record Cluster(
        @Setting(flag = "--broker", defaultValue = Cluster.MEMORY_BROKER,
                help = "Where rooms live: 'memory' (this node only) or redis://host:port[/db] to share rooms with every"
                        + " node using that Redis (rediss:// for TLS, redis://:password@host:port for AUTH), or"
                        + " redis-sentinel://host:port[,host:port...]/<master> for the master those sentinels name,"
                        + " followed through failovers, or redis-cluster://host:port[,host:port...] for a Redis Cluster"
                        + " (any of its nodes; sharded pub/sub, Redis 7 or later).")
        String broker,
        @Setting(flag = "--redis-prefix", defaultValue = "roomcast:",
                help = "Prefix of every Redis key and channel; nodes that share rooms use the same one.")
        String redisPrefix,
        @Setting(flag = "--presence-lease", defaultValue = "15s", min = "3s",
                help = "With Redis: how long a node's presence outlives its last heartbeat (sent every third of it); a"
                        + " crashed node's users are announced as left after it.")
        Duration presenceLease,
        @Setting(flag = "--presence-grace", defaultValue = "5s", min = "0s", max = "1h",
                help = "How long a user must have had no session in a room before it is gone: left (and the webhooks'"
                        + " user.offline, room.vacated) only then, so a reload or a reconnect to another node within it"
                        + " announces neither left nor joined.")
        Duration presenceGrace) {

    /** The {@code broker} value for the in-process broker of a single node. */
    public static final String MEMORY_BROKER = "memory";

    public Cluster {
        broker = broker == null ? null : broker.strip();
        if (broker == null || !(broker.equals(MEMORY_BROKER) || broker.startsWith("redis://")
                || broker.startsWith("rediss://") || broker.startsWith("redis-sentinel://")
                || broker.startsWith("redis-cluster://"))) {
            throw new InvalidSetting("--broker", "must be 'memory', a redis://host:port[/db] URL, a"
                    + " redis-sentinel://host:port[,host:port...]/<master> URL or a redis-cluster://host:port[,host:port...]"
                    + " URL, got " + broker);
        }
        if (broker.startsWith("redis-cluster://") && !namesClusterNodes(broker)) {
            throw new InvalidSetting("--broker", "a redis-cluster:// URL lists host:port of one or more of the cluster's"
                    + " nodes and nothing after them (a cluster has only database 0), as in"
                    + " redis-cluster://host1:7000,host2:7001, got " + broker);
        }
        if (broker.startsWith("redis-sentinel://") && !namesSentinelMaster(broker)) {
            throw new InvalidSetting("--broker", "a redis-sentinel:// URL names the master after the sentinels,"
                    + " as in redis-sentinel://host:26379,host2:26379/mymaster, got " + broker);
        }
        if (redisPrefix == null) {
            throw new InvalidSetting("--redis-prefix", "must not be null");
        }
    }

    /** Whether a {@code redis-sentinel://} URL has a master's name after the sentinels (or after {@code #}, as Lettuce writes it). */
    private static boolean namesSentinelMaster(String url) {
        int slash = url.indexOf('/', "redis-sentinel://".length());
        return url.contains("#") || slash > 0 && slash < url.length() - 1;
    }

    /** Whether a {@code redis-cluster://} URL lists host:port pairs (after an optional {@code :password@}) and no path. */
    private static boolean namesClusterNodes(String url) {
        String nodes = url.substring("redis-cluster://".length());
        nodes = nodes.substring(nodes.lastIndexOf('@') + 1);
        return nodes.matches("[^,/:@]+:\\d+(,[^,/:@]+:\\d+)*");
    }

    /** Whether rooms are shared through Redis. */
    public boolean redisBroker() {
        return !MEMORY_BROKER.equals(broker);
    }
}
