package dev.roomcast.metrics;

import dev.roomcast.broker.Broker;
import dev.roomcast.broker.BrokerListener;
import dev.roomcast.broker.DirectMessage;
import dev.roomcast.broker.Draft;
import dev.roomcast.broker.HistorySlice;
import dev.roomcast.broker.Position;
import dev.roomcast.broker.RoomEvent;
import dev.roomcast.broker.UserDisconnect;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;

/**
 * A {@link Broker} that measures the one it wraps: publish latency, failed operations, direct
 * messages and the presence changes it announces, so both brokers are measured the same way and
 * neither knows about metrics. Adds nothing per delivery: it sees events once per node, not per member.
 *
 * <p>Threading: thread-safe, as the wrapped broker is; it keeps no state of its own.
 */
public final class MeteredBroker implements Broker {

    private final Broker broker;
    private final ServerMetrics metrics;

    public MeteredBroker(Broker broker, ServerMetrics metrics) {
        this.broker = broker;
        this.metrics = metrics;
    }

    @Override
    public void start(BrokerListener listener) {
        broker.start(new BrokerListener() {
            @Override
            public void onEvent(RoomEvent event) {
                if (event instanceof RoomEvent.PresenceChange change) {
                    metrics.presenceChanged(change.joined());
                }
                listener.onEvent(event);
            }

            @Override
            public void onDirect(DirectMessage message) {
                listener.onDirect(message);
            }

            @Override
            public void onDisconnect(UserDisconnect disconnect) {
                listener.onDisconnect(disconnect);
            }
        });
    }

    @Override
    public CompletionStage<Position> publish(String room, Draft draft) {
        long start = System.nanoTime();
        return broker.publish(room, draft).whenComplete((position, failure) ->
                metrics.brokerPublished(System.nanoTime() - start, failure == null));
    }

    @Override
    public void broadcast(RoomEvent event) {
        broker.broadcast(event);
    }

    @Override
    public CompletionStage<Void> subscribe(String room) {
        return counted(broker.subscribe(room), BrokerOperation.SUBSCRIBE);
    }

    @Override
    public CompletionStage<Void> unsubscribe(String room) {
        return counted(broker.unsubscribe(room), BrokerOperation.UNSUBSCRIBE);
    }

    @Override
    public CompletionStage<HistorySlice> history(String room, Position since, int limit) {
        return counted(broker.history(room, since, limit), BrokerOperation.HISTORY);
    }

    @Override
    public void enter(String room, String user) {
        broker.enter(room, user);
    }

    @Override
    public void exit(String room, String user) {
        broker.exit(room, user);
    }

    @Override
    public CompletionStage<Map<String, Integer>> presence(String room) {
        return counted(broker.presence(room), BrokerOperation.PRESENCE);
    }

    @Override
    public CompletionStage<Void> addUser(String user) {
        return counted(broker.addUser(user), BrokerOperation.SUBSCRIBE);
    }

    @Override
    public CompletionStage<Void> removeUser(String user) {
        return counted(broker.removeUser(user), BrokerOperation.UNSUBSCRIBE);
    }

    @Override
    public CompletionStage<Boolean> direct(DirectMessage message) {
        return counted(broker.direct(message), BrokerOperation.DIRECT).whenComplete((delivered, failure) -> {
            if (failure == null) {
                metrics.directMessage(delivered);
            }
        });
    }

    @Override
    public CompletionStage<Boolean> disconnectUser(UserDisconnect disconnect) {
        return counted(broker.disconnectUser(disconnect), BrokerOperation.DIRECT);
    }

    @Override
    public void announceNode(String nodeId, IntSupplier connections) {
        broker.announceNode(nodeId, connections);
    }

    @Override
    public CompletionStage<Map<String, Integer>> nodes() {
        return broker.nodes();
    }

    @Override
    public boolean isReady() {
        return broker.isReady();
    }

    @Override
    public void close() {
        broker.close();
    }

    private <T> CompletionStage<T> counted(CompletionStage<T> operation, BrokerOperation what) {
        return operation.whenComplete((result, failure) -> {
            if (failure != null) {
                metrics.brokerFailed(what);
            }
        });
    }
}
