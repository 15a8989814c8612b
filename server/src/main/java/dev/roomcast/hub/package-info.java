/**
 * Rooms, sessions and fan-out, free of any transport: the hub sees connections only as
 * {@link dev.roomcast.hub.Session}s and threads only as {@link dev.roomcast.hub.Loop}s.
 *
 * <p>Depends on {@code dev.roomcast.broker}, {@code dev.roomcast.room} and {@code dev.roomcast.concurrent} only; must not import {@code io.netty} (a test checks).
 */
package dev.roomcast.hub;
