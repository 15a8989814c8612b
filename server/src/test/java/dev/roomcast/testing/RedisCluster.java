package dev.roomcast.testing;

import io.lettuce.core.cluster.SlotHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A Redis Cluster of one test's own: {@code masters} masters with one replica each, every node a
 * {@link RedisServer} on free loopback ports, joined by {@code redis-cli --cluster create}. Tells which
 * master serves a key's slot now (as the nodes themselves say, so it follows a failover), for tests that
 * kill one shard's master.
 *
 * <p>Threading: not thread-safe; one test thread drives it.
 */
public final class RedisCluster implements AutoCloseable {

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    /** Starts {@code masters} × 2 nodes and waits until every node reports the cluster ok with all slots served. */
    public static RedisCluster start(int masters, Duration nodeTimeout) {
        Requirements.need("redis", RedisServer.onPath("redis-cli"), "redis-cli is not installed");
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 2 * masters; i++) {
                nodes.add(RedisServer.startClusterNode(nodeTimeout));
            }
            List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            nodes.forEach(node -> command.add("127.0.0.1:" + node.port()));
            command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + output);
            }
            RedisCluster cluster = new RedisCluster(nodes);
            Awaitility.await("every node sees the cluster ok, with " + masters + " masters and their replicas in sync")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> nodes.stream().allMatch(node -> node.redis().clusterInfo().contains("cluster_state:ok"))
                            && cluster.masters().size() == masters
                            && nodes.stream().filter(node -> !cluster.masters().contains(node))
                                    .allMatch(replica -> replica.redis().info("replication").contains("master_link_status:up")));
            return cluster;
        } catch (IOException e) {
            nodes.forEach(RedisServer::close);
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            nodes.forEach(RedisServer::close);
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            nodes.forEach(RedisServer::close);
            throw e;
        }
    }

    /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,…} listing every node. */
    public String uri() {
        return "redis-cluster://" + String.join(",", nodes.stream().map(node -> "127.0.0.1:" + node.port()).toList());
    }

    /** The nodes that are masters serving slots now, as a live node sees it. */
    public List<RedisServer> masters() {
        List<RedisServer> masters = new ArrayList<>();
        for (String line : anyLiveNode().redis().clusterNodes().split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length > 8 && fields[2].contains("master") && !fields[2].contains("fail")) {
                int port = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
                nodes.stream().filter(node -> node.port() == port).forEach(masters::add);
            }
        }
        return masters;
    }

    /** The master serving the slot of {@code key} now, as a live node sees it. */
    public RedisServer masterOf(String key) {
        int slot = SlotHash.getSlot(key);
        for (String line : anyLiveNode().redis().clusterNodes().split("\n")) {
            String[] fields = line.split(" ");
            if (fields[2].contains("master") && !fields[2].contains("fail")) {
                for (int i = 8; i < fields.length; i++) {
                    String[] range = fields[i].split("-");
                    if (range[0].startsWith("[")) {
                        continue;
                    }
                    int from = Integer.parseInt(range[0]);
                    int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                    if (slot >= from && slot <= to) {
                        int port = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
                        return nodes.stream().filter(node -> node.port() == port).findFirst().orElseThrow();
                    }
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    /** The replica of {@code master}, as {@code master} was started with one. */
    public RedisServer replicaOf(RedisServer master) {
        String masterId = master.redis().clusterMyId();
        Optional<RedisServer> replica = nodes.stream().filter(node -> node != master && node.isAlive())
                .filter(node -> node.redis().info("replication").contains("role:slave")
                        && node.redis().clusterNodes().lines().anyMatch(line -> line.contains("myself") && line.contains(masterId)))
                .findFirst();
        return replica.orElseThrow(() -> new IllegalStateException("no replica of " + master.port()));
    }

    private RedisServer anyLiveNode() {
        return nodes.stream().filter(RedisServer::isAlive).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }
}
