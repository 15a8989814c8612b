package dev.roomcast.broker;

import dev.roomcast.room.RoomEvent;

/**
 * Receives the events of the rooms this node subscribed to: messages, departures and the
 * {@link PresenceStore}'s joined/left announcements, which travel the same way.
 *
 * <p>Threading: called on the broker's own thread (the publishing thread for {@link LocalBroker}, a
 * client I/O thread for remote brokers). Implementations must not block and must not call back into
 * the {@link Broker} synchronously. Events of one room arrive in publication order.
 */
@FunctionalInterface
public interface BrokerListener {

    void onEvent(RoomEvent event);
}
