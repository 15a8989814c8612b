/**
 * Who may connect and what they may do: principals and their room permissions, token
 * verification (JWT), the origin policy, connection limits and per-connection rate limits.
 * Free of Netty, so every rule here is tested without sockets.
 */
package dev.roomcast.security;
