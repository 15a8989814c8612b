/**
 * Open WebSockets: the endpoints that speak the seed text and JSON v1 protocols, the hub session of
 * each channel, the one closing handshake, the per-loop registry and heartbeat, and the node's
 * drain. Imports {@code server.gate} and {@code server.frame}, never the bootstrap above it.
 */
package dev.roomcast.server.websocket;
