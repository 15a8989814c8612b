/**
 * The broker SPI: how room events travel between nodes and where room history lives.
 *
 * <p>{@link dev.roomcast.broker.LocalBroker} serves a single node in-process;
 * {@link dev.roomcast.broker.redis.RedisBroker} shares rooms between nodes. This package depends on nothing else in Roomcast and must not
 * import {@code io.netty}.
 */
package dev.roomcast.broker;
