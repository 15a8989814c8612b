package dev.roomcast.broker.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One Lua script from {@code resources/redis/}, run by its SHA ({@code EVALSHA}); when Redis has
 * forgotten it (restart, {@code SCRIPT FLUSH}) the same call falls back to {@code EVAL}, which also
 * caches it again.
 *
 * <p>Threading: thread-safe (immutable).
 */
final class LuaScript {

    private final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source, String sha) {
        this.name = name;
        this.source = source;
        this.sha = sha;
    }

    /**
     * Reads {@code redis/<name>} from the class path and loads it into Redis ({@code SCRIPT LOAD}); blocks. On Redis
     * Cluster a master that has not loaded it (a replica promoted since) gets it by the {@code EVAL} of the first run.
     */
    static LuaScript load(String name, RedisClusterAsyncCommands<String, String> redis) {
        String source = resource(name);
        String sha = redis.scriptLoad(source).toCompletableFuture().join();
        return new LuaScript(name, source, sha);
    }

    /** Runs the script; the reply is Redis's array as a list of {@code String}s and {@code Long}s. */
    CompletionStage<List<Object>> run(RedisClusterAsyncCommands<String, String> redis, String[] keys, String... args) {
        CompletableFuture<List<Object>> bySha =
                redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
        return bySha.exceptionallyCompose(failure -> failure instanceof RedisNoScriptException
                || failure.getCause() instanceof RedisNoScriptException
                ? redis.<List<Object>>eval(source, ScriptOutputType.MULTI, keys, args)
                : CompletableFuture.failedFuture(failure));
    }

    @Override
    public String toString() {
        return name + " (" + sha + ")";
    }

    private static String resource(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream("/redis/" + name)) {
            if (in == null) {
                throw new IllegalStateException("redis/" + name + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
