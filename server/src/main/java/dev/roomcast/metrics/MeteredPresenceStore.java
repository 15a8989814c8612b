package dev.roomcast.metrics;

import dev.roomcast.broker.PresenceStore;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * A {@link PresenceStore} that counts the one it wraps' failed presence reads. The joined/left
 * announcements arrive as room events and are counted by {@link MeteredBroker}.
 *
 * <p>Threading: thread-safe, as the wrapped store is; it keeps no state of its own.
 */
public final class MeteredPresenceStore implements PresenceStore {

    private final PresenceStore presence;
    private final ServerMetrics metrics;

    public MeteredPresenceStore(PresenceStore presence, ServerMetrics metrics) {
        this.presence = presence;
        this.metrics = metrics;
    }

    @Override
    public void enter(String room, String user) {
        presence.enter(room, user);
    }

    @Override
    public void exit(String room, String user) {
        presence.exit(room, user);
    }

    @Override
    public CompletionStage<Map<String, Integer>> presence(String room) {
        return metrics.countFailure(presence.presence(room), BrokerOperation.PRESENCE);
    }

    @Override
    public void setOccupancy(String room, int members, boolean reannounce) {
        presence.setOccupancy(room, members, reannounce);
    }

    @Override
    public CompletionStage<Integer> occupancy(String room) {
        return metrics.countFailure(presence.occupancy(room), BrokerOperation.PRESENCE);
    }

    @Override
    public void announceNode(String nodeId, IntSupplier connections, Supplier<? extends Map<String, Integer>> rooms) {
        presence.announceNode(nodeId, connections, rooms);
    }

    @Override
    public CompletionStage<Map<String, Integer>> nodes() {
        return presence.nodes();
    }

    @Override
    public CompletionStage<NavigableMap<String, Integer>> rooms() {
        return presence.rooms();
    }

    @Override
    public void close() {
        presence.close();
    }
}
