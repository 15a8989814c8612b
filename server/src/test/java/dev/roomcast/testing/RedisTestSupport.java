package dev.roomcast.testing;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.UUID;

/**
 * The Redis that {@code @Tag("redis")} tests share: where it is, whether it answers, a key prefix
 * unique to one test run, and a connection to inspect and delete that run's keys. Close it when done.
 */
public final class RedisTestSupport implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 6379;
    public static final String URI = "redis://" + HOST + ":" + PORT;

    private final String prefix = "roomcast-test:" + UUID.randomUUID() + ":";
    private final RedisClient client = RedisClient.create(URI);
    private final StatefulRedisConnection<String, String> connection = client.connect();

    private RedisTestSupport() {
    }

    /** Skips the test (or fails it under {@code -Droomcast.require=redis}) unless Redis answers, then connects. */
    public static RedisTestSupport require() {
        Requirements.need("redis", reachable(), "Redis not reachable at " + HOST + ":" + PORT);
        return new RedisTestSupport();
    }

    /** The prefix of every key and channel this run uses. */
    public String prefix() {
        return prefix;
    }

    public RedisCommands<String, String> redis() {
        return connection.sync();
    }

    /** Deletes every key of this run; returns how many there were. */
    public long deleteKeys() {
        long deleted = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
            if (!page.getKeys().isEmpty()) {
                deleted += redis().del(page.getKeys().toArray(String[]::new));
            }
            cursor = page;
        } while (!cursor.isFinished());
        return deleted;
    }

    @Override
    public void close() {
        deleteKeys();
        connection.close();
        client.shutdown();
    }

    private static boolean reachable() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, PORT), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
