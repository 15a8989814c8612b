/**
 * The broker SPI, one concern per interface: {@link dev.roomcast.broker.Broker} (how room events travel
 * between nodes and where room history lives), {@link dev.roomcast.broker.PresenceStore} (who is in each
 * room, which nodes are alive) and {@link dev.roomcast.broker.DirectRouter} (direct messages to a user's
 * nodes), built together as a {@link dev.roomcast.broker.Backend}.
 *
 * <p>The local implementations serve a single node in-process; those in
 * {@link dev.roomcast.broker.redis} share rooms between nodes. This package depends only on
 * {@code dev.roomcast.room} and {@code dev.roomcast.concurrent}, and must not import {@code io.netty}.
 */
package dev.roomcast.broker;
