package dev.roomcast.broker;

import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;

/**
 * Moves room events between nodes and keeps each room's message history.
 *
 * <p>Guarantees: events of one room reach every subscribed node's listener in the order the
 * broker accepted them; across nodes delivery is at most once, and exactly once in order for a
 * client that recovers from history with {@link #history}. Appending a message to history and
 * delivering it are one step per room, so the offsets a listener sees for a room only grow.
 *
 * <p>Every method may be called from any thread and never blocks; failures complete the
 * returned stage exceptionally.
 */
public interface Broker extends AutoCloseable {

    /** Starts delivery to {@code listener}; called once, before any other method. */
    void start(BrokerListener listener);

    /**
     * Appends a message to the room's history and delivers it to every subscribed node,
     * this one included. Completes with the message's position; fails with
     * {@link OutcomeUnknownException} when the message may have been published all the same.
     */
    CompletionStage<Position> publish(String room, Draft draft);

    /** Delivers an event that is not kept in history (departures, presence changes). */
    void broadcast(RoomEvent event);

    /**
     * Starts delivering the room's events to this node; idempotent. Only events of subscribed rooms
     * reach the listener. A {@link #publish} or {@link #history} of the room called after this takes
     * effect after the subscription does, so a joiner misses nothing between the history it reads and
     * the live events that follow, and local members receive their own messages.
     */
    CompletionStage<Void> subscribe(String room);

    /** Stops delivering the room's events to this node; idempotent. */
    CompletionStage<Void> unsubscribe(String room);

    /**
     * Reads the room's history.
     *
     * @param since the last position the caller saw, or {@code null} for "the newest messages"
     * @param limit at most this many messages (the newest ones when {@code since} is null);
     *              {@code 0} asks only for the current position
     */
    CompletionStage<HistorySlice> history(String room, Position since, int limit);

    /**
     * Counts one more session of {@code user} in {@code room} on this node. On the user's first
     * session in the room on any node, delivers a {@link RoomEvent.PresenceChange} joined event to
     * the room, in order with the room's other presence changes.
     */
    void enter(String room, String user);

    /** Counts one session fewer; after the user's last session in the room on any node, delivers a left event. */
    void exit(String room, String user);

    /** The users in the room on every node, each with its number of sessions there, sorted by user. */
    CompletionStage<Map<String, Integer>> presence(String room);

    /**
     * Makes direct messages to {@code user} reach this node's listener; idempotent. The hub calls it
     * for every session of the user and waits for it before telling the client it is connected, so a
     * user who has been welcomed can be reached.
     */
    CompletionStage<Void> addUser(String user);

    /** Stops direct messages to {@code user} reaching this node; called when its last session here ends. */
    CompletionStage<Void> removeUser(String user);

    /**
     * Delivers a direct message to every node that added its recipient, this one included.
     * Completes with whether any node did: {@code false} means the user is connected nowhere.
     */
    CompletionStage<Boolean> direct(DirectMessage message);

    /**
     * Delivers a disconnect order to every node that added its user, this one included, the way
     * {@link #direct} routes a message. Completes with whether any node did.
     */
    CompletionStage<Boolean> disconnectUser(UserDisconnect disconnect);

    /**
     * Makes this node known to {@link #nodes} as {@code nodeId}, with the open connections that
     * {@code connections} counts (read from the broker's own threads: cheap and thread-safe). Called
     * once, after {@link #start}.
     */
    void announceNode(String nodeId, IntSupplier connections);

    /**
     * The live nodes that share this broker's rooms, this one included, each with its open
     * connections (another node's count is as of its last heartbeat).
     */
    CompletionStage<Map<String, Integer>> nodes();

    /** Whether the broker can currently reach its backing service. */
    boolean isReady();

    @Override
    void close();
}
