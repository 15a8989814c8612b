package dev.roomcast.broker;

import dev.roomcast.room.Draft;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.OutcomeUnknownException;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Moves room events between nodes and keeps each room's message history: the room side of the broker
 * SPI. Who is in a room is the {@link PresenceStore}'s concern, direct messages the {@link DirectRouter}'s.
 *
 * <p>Guarantees: events of one room reach every subscribed node's listener in the order the
 * broker accepted them; across nodes delivery is at most once, and exactly once in order for a
 * client that recovers from history with {@link #history}. Appending a message to history and
 * delivering it are one step per room, so the offsets a listener sees for a room only grow.
 *
 * <p>Threading: thread-safe. Every method may be called from any thread and never blocks; failures
 * complete the returned stage exceptionally.
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

    /**
     * Delivers an event that is not kept in history (departures, presence changes), in order with the
     * room's other events sent from the same thread.
     */
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

    /** Whether the broker can currently reach its backing service. */
    boolean isReady();

    /**
     * While ready, the parts of the backing service that do not answer, whose rooms pause (a Redis Cluster's
     * masters, as {@code host:port}); empty when every part answers or there is only one.
     */
    default List<String> silentParts() {
        return List.of();
    }

    @Override
    void close();
}
