package dev.roomcast.bench;

/** The load shapes {@code roomcast bench} can drive. Immutable. */
public enum Scenario {
    /** N idle connections across R rooms, held for the duration: connection rate and memory per connection. */
    CONNECT,
    /** N clients each alone in a room (or on {@code /echo}), closed loop: messages/s and round-trip time. */
    ECHO,
    /** S members of one room, one of which publishes at a fixed rate or as fast as a window allows. */
    FANOUT,
    /** C clients in rooms of K, each sending r messages/s. */
    CHAT
}
