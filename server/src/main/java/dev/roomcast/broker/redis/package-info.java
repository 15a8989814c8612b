/**
 * The Redis backend: rooms shared by several nodes through Redis pub/sub (delivery) and streams
 * (history) in {@link dev.roomcast.broker.redis.RedisBroker}, presence in hashes per room and node in
 * {@link dev.roomcast.broker.redis.RedisPresenceStore}, direct messages on per-user channels in
 * {@link dev.roomcast.broker.redis.RedisDirectRouter}, all on one {@code RedisLink} (one Redis, a master that
 * Sentinel names, or a Redis Cluster with sharded pub/sub), with the Lua scripts
 * of {@code resources/redis/}. Depends only on the broker SPI, the room model and Lettuce; must not
 * import {@code io.netty}.
 */
package dev.roomcast.broker.redis;
