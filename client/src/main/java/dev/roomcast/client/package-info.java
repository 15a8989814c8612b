/**
 * The Java client of Roomcast's JSON protocol v1: {@link dev.roomcast.client.RoomcastClient}.
 * Depends on the JDK ({@code java.net.http.WebSocket}) and Jackson only; it must import nothing
 * of the server ({@code dev.roomcast.*} outside this package) and nothing of Netty.
 */
package dev.roomcast.client;
