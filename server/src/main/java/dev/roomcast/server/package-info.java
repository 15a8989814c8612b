/**
 * The transport: Netty bootstrap, HTTP routing, the WebSocket endpoints and the adapters that
 * present Netty channels and event loops to the hub. Netty lives here and only here.
 */
package dev.roomcast.server;
