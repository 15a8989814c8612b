package dev.roomcast.broker;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process broker of a single node: history in memory, delivery straight to the
 * listener on the publishing thread, with no serialization and no copy.
 *
 * <p>It is enough when one node serves every client. History does not survive a restart: a
 * new process gives every room a new epoch, so clients that recover across the restart are
 * told {@code recovered:false}. To share rooms between nodes, use the Redis broker.
 */
public final class LocalBroker implements Broker {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConcurrentHashMap<String, RoomLog> logs = new ConcurrentHashMap<>();
    private final int historySize;
    private final Duration historyMaxAge;
    private final Clock clock;
    private volatile BrokerListener listener = event -> { };

    public LocalBroker(int historySize, Duration historyMaxAge, Clock clock) {
        this.historySize = historySize;
        this.historyMaxAge = historyMaxAge;
        this.clock = clock;
    }

    @Override
    public void start(BrokerListener listener) {
        this.listener = listener;
    }

    @Override
    public CompletionStage<Position> publish(String room, Draft draft) {
        RoomLog log = logs.computeIfAbsent(room, r -> newLog());
        RoomEvent.Message message;
        // Appending and delivering under the log's monitor keeps every loop's queue in offset order.
        synchronized (log) {
            message = log.append(room, draft);
            listener.onEvent(message);
        }
        return CompletableFuture.completedFuture(message.position());
    }

    @Override
    public void broadcast(RoomEvent event) {
        listener.onEvent(event);
    }

    @Override
    public CompletionStage<Void> subscribe(String room) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> unsubscribe(String room) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<HistorySlice> history(String room, Position since, int limit) {
        RoomLog log = logs.computeIfAbsent(room, r -> newLog());
        synchronized (log) {
            return CompletableFuture.completedFuture(log.read(since, limit));
        }
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void close() {
        logs.clear();
    }

    private RoomLog newLog() {
        return new RoomLog(newEpoch(), historySize, historyMaxAge, clock);
    }

    private static String newEpoch() {
        return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }
}
