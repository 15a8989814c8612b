/**
 * The transport's bootstrap and HTTP routing: event loop groups and bind, the per-connection
 * pipeline and its switch to the WebSocket state, the router, static pages and plain HTTP answers.
 * The top of the transport: it may import its sub-packages, none of them imports it.
 * Sub-packages, each importing only those listed after it: {@link dev.roomcast.server.api} (the
 * HTTP API), {@link dev.roomcast.server.websocket} (endpoints and sessions),
 * {@link dev.roomcast.server.gate} (what an upgrade must pass) and {@link dev.roomcast.server.frame}
 * (frame bytes encoded once per broadcast); {@code ArchitectureTest} checks the order.
 */
package dev.roomcast.server;
