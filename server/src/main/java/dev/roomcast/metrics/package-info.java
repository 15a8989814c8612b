/**
 * The node's metrics (Micrometer, exposed as Prometheus text on {@code GET /metrics}); every meter
 * name is in {@link dev.roomcast.metrics.ServerMetrics}. The server depends on this package, and this
 * package on the broker's interfaces ({@link dev.roomcast.metrics.MeteredBroker} wraps any broker,
 * {@link dev.roomcast.broker.redis.RedisObserver} hears the Redis one); the hub and the broker do not
 * depend on it: they report through plain interfaces ({@link dev.roomcast.hub.DeliveryLatency},
 * {@code RedisObserver}).
 */
package dev.roomcast.metrics;
