/**
 * The HTTP API under {@code /v1/rooms}: publishing from backends and reading rooms, presence and
 * history. Handlers return responses as values; {@code server.HttpRouter} writes them.
 * Talks to the hub only, never to the broker.
 */
package dev.roomcast.server.api;
