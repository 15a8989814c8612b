package dev.roomcast.broker;

import dev.roomcast.room.RoomEvent;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The presence store of a single node: its own {@link PresenceCounts}, announced through the room
 * broker's {@link Broker#broadcast} inside the counting step, so a room's joined and left events keep the
 * counts' order and reach the listener on the same path as the room's messages.
 *
 * <p>Threading: thread-safe ({@link PresenceCounts} orders each room's changes; occupancy is a concurrent map; the
 * node is volatile).
 */
public final class LocalPresenceStore implements PresenceStore {

    private final Broker rooms;
    private final PresenceCounts counts = new PresenceCounts();
    /** Members of each count room with members, as last set; the total, as there is only this node. */
    private final ConcurrentHashMap<String, Integer> occupancy = new ConcurrentHashMap<>();
    /** This node, alone: its id and connection count, for {@link #nodes}. */
    private volatile Map<String, IntSupplier> node = Map.of();
    /** This node's rooms and their members, for {@link #rooms}; none until announced. */
    private volatile Supplier<? extends Map<String, Integer>> nodeRooms = Map::of;

    /** Announces through {@code rooms}, the broker whose listener hears the room's messages. */
    public LocalPresenceStore(Broker rooms) {
        this.rooms = rooms;
    }

    @Override
    public void enter(String room, String user) {
        counts.add(room, user, count -> {
            if (count == 1) {
                rooms.broadcast(new RoomEvent.PresenceChange(room, user, true));
            }
        });
    }

    @Override
    public void exit(String room, String user) {
        counts.remove(room, user, count -> {
            if (count == 0) {
                rooms.broadcast(new RoomEvent.PresenceChange(room, user, false));
            }
        });
    }

    @Override
    public CompletionStage<Map<String, Integer>> presence(String room) {
        return CompletableFuture.completedFuture(counts.users(room));
    }

    /** Announces through the broker, which hands the event to the listener inline. */
    @Override
    public void setOccupancy(String room, int members, boolean reannounce) {
        Integer before = members == 0 ? occupancy.remove(room) : occupancy.put(room, members);
        if (reannounce || !Objects.equals(before, members == 0 ? null : members)) {
            rooms.broadcast(new RoomEvent.Occupancy(room, members));
        }
    }

    @Override
    public CompletionStage<Integer> occupancy(String room) {
        return CompletableFuture.completedFuture(occupancy.getOrDefault(room, 0));
    }

    @Override
    public void announceNode(String nodeId, IntSupplier connections, Supplier<? extends Map<String, Integer>> rooms) {
        node = Map.of(nodeId, connections);
        nodeRooms = rooms;
    }

    @Override
    public CompletionStage<Map<String, Integer>> nodes() {
        Map<String, Integer> live = new TreeMap<>();
        node.forEach((id, connections) -> live.put(id, connections.getAsInt()));
        return CompletableFuture.completedFuture(live);
    }

    @Override
    public CompletionStage<NavigableMap<String, Integer>> rooms() {
        return CompletableFuture.completedFuture(new TreeMap<>(nodeRooms.get()));
    }

    /** Nothing to release: a single node has no heartbeat. */
    @Override
    public void close() {
    }
}
