package dev.roomcast.broker;

import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Who is in each room across the nodes, and which nodes are alive: the presence side of the broker SPI.
 *
 * <p>Announcements: a user's first session in a room on any node and the last one out are announced to
 * the room as {@link dev.roomcast.room.RoomEvent.PresenceChange} events, which reach the nodes through the
 * room's own delivery path, the one its messages take, so members see them in order with the room's
 * messages: {@link LocalPresenceStore} hands them to {@link LocalBroker#broadcast} inside the counting
 * step; {@link dev.roomcast.broker.redis.RedisPresenceStore}'s scripts PUBLISH them on the room's channel
 * in the same step as the count, and that channel is the one pub/sub connection that carries the room's
 * messages to every node, in the order Redis ran the scripts.
 *
 * <p>Threading: thread-safe. Every method may be called from any thread and never blocks.
 */
public interface PresenceStore extends AutoCloseable {

    /**
     * Counts one more session of {@code user} in {@code room} on this node. On the user's first
     * session in the room on any node, announces joined, in order with the room's other presence changes.
     */
    void enter(String room, String user);

    /** Counts one session fewer; after the user's last session in the room on any node, announces left. */
    void exit(String room, String user);

    /** The users in the room on every node, each with its number of sessions there, sorted by user. */
    CompletionStage<Map<String, Integer>> presence(String room);

    /**
     * Sets this node's members of a room whose presence is a count ({@link dev.roomcast.room.PresenceMode#COUNT}),
     * 0 when it has none left, and, when the room's total over every node changed (or {@code reannounce} asks for
     * it, for a node that has not heard the total yet), announces the total to the room as a
     * {@link dev.roomcast.room.RoomEvent.Occupancy} through the room's delivery path, as joined and left are. The
     * caller sets each room at most about once a second; the cost is one step of the store per call, whatever the
     * room's size.
     */
    void setOccupancy(String room, int members, boolean reannounce);

    /** The members of a count room on every node, as last announced. */
    CompletionStage<Integer> occupancy(String room);

    /**
     * Makes this node known to {@link #nodes} as {@code nodeId}, with the open connections that
     * {@code connections} counts, and to {@link #rooms} with the rooms {@code rooms} lists (room → members on
     * this node); both are read from the store's own threads, so they must be cheap and thread-safe. Called once.
     */
    void announceNode(String nodeId, IntSupplier connections, Supplier<? extends Map<String, Integer>> rooms);

    /**
     * The live nodes that share this store's rooms, this one included, each with its open
     * connections (another node's count is as of its last heartbeat).
     */
    CompletionStage<Map<String, Integer>> nodes();

    /**
     * The rooms with members on any live node, sorted by name, each with the members of every node summed
     * (this node's as of now, another node's as of its last heartbeat).
     */
    CompletionStage<NavigableMap<String, Integer>> rooms();

    /** Stops this node's heartbeat and, best effort, takes it out of {@link #nodes} at once. */
    @Override
    void close();
}
