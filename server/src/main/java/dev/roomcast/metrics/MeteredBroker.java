package dev.roomcast.metrics;

import dev.roomcast.broker.Broker;
import dev.roomcast.broker.BrokerListener;
import dev.roomcast.room.Draft;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Broker} that measures the one it wraps: publish latency, failed operations, and the presence
 * changes the room's events announce, so both brokers are measured the same way and neither knows about
 * metrics. Adds nothing per delivery: it sees events once per node, not per member.
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
        broker.start(event -> {
            if (event instanceof RoomEvent.PresenceChange change) {
                metrics.presenceChanged(change.room(), change.joined());
            }
            listener.onEvent(event);
        });
    }

    @Override
    public CompletionStage<Position> publish(String room, Draft draft) {
        long start = System.nanoTime();
        CompletionStage<Position> published = broker.publish(room, draft);
        if (published instanceof CompletableFuture<Position> answered && answered.isDone()) {
            // The local broker answers within the call: measured here, without a stage of its own per message.
            metrics.brokerPublished(room, System.nanoTime() - start, !answered.isCompletedExceptionally());
            return published;
        }
        return published.whenComplete((position, failure) ->
                metrics.brokerPublished(room, System.nanoTime() - start, failure == null));
    }

    @Override
    public void broadcast(RoomEvent event) {
        broker.broadcast(event);
    }

    @Override
    public CompletionStage<Void> subscribe(String room) {
        return metrics.countFailure(broker.subscribe(room), BrokerOperation.SUBSCRIBE);
    }

    @Override
    public CompletionStage<Void> unsubscribe(String room) {
        return metrics.countFailure(broker.unsubscribe(room), BrokerOperation.UNSUBSCRIBE);
    }

    @Override
    public CompletionStage<HistorySlice> history(String room, Position since, int limit) {
        return metrics.countFailure(broker.history(room, since, limit), BrokerOperation.HISTORY);
    }

    @Override
    public boolean isReady() {
        return broker.isReady();
    }

    @Override
    public List<String> silentParts() {
        return broker.silentParts();
    }

    @Override
    public void close() {
        broker.close();
    }
}
