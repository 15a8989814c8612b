/**
 * The Redis broker: rooms shared by several nodes through Redis pub/sub (delivery) and streams
 * (history), with the Lua scripts of {@code resources/redis/}. Depends only on the broker SPI and
 * Lettuce; must not import {@code io.netty}.
 */
package dev.roomcast.broker.redis;
