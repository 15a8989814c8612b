/**
 * What a WebSocket upgrade must pass before the handshake (draining, Origin, token, room
 * permission, capacity), who may publish where, and the node's session ids and guest names.
 * Imports nothing else of the transport.
 */
package dev.roomcast.server.gate;
