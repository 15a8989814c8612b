/**
 * The node's metrics (Micrometer, exposed as Prometheus text on {@code GET /metrics}). The server
 * depends on this package; the hub and the broker do not, they expose plain counts.
 */
package dev.roomcast.metrics;
