package dev.roomcast.broker;

import dev.roomcast.room.Draft;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The in-process broker of a single node: history in memory, delivery straight to the
 * listener on the publishing thread, with no serialization and no copy.
 *
 * <p>It is enough when one node serves every client. History does not survive a restart: a
 * new process gives every room a new epoch, so clients that recover across the restart are
 * told {@code recovered:false}. To share rooms between nodes, use the Redis broker.
 *
 * <p>Memory: each room keeps at most the messages its {@link RoomHistory} allows, and all rooms together at most about {@code historyMaxBytes} (an
 * estimate: two bytes per character plus a fixed overhead per message and per room). Past that
 * bound, whole rooms' histories are dropped, least recently published-to first, until the total is
 * back under nine tenths of it; such a room starts a new epoch, so its old positions answer
 * {@code recovered:false}. Idempotency keys are kept for the window, at most
 * {@value #MAX_IDEMPOTENCY_KEYS} of them ({@link RecentKeys}).
 *
 * <p>Threading: thread-safe. Each room's log is guarded by its own monitor; eviction runs on one
 * publishing thread at a time.
 */
public final class LocalBroker implements Broker {

    /** Idempotency keys one node remembers at most (about 15 MB); past that the oldest are forgotten early. */
    public static final int MAX_IDEMPOTENCY_KEYS = 100_000;
    /** How long a publish's idempotency key is remembered when the caller does not say. */
    public static final Duration DEFAULT_IDEMPOTENCY_WINDOW = Duration.ofMinutes(5);

    private final ConcurrentHashMap<String, RoomLog> logs = new ConcurrentHashMap<>();
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final AtomicLong historyBytes = new AtomicLong();
    private final ReentrantLock evicting = new ReentrantLock();
    private final RoomHistory.HistoryPolicy historyPolicy;
    private final long historyMaxBytes;
    private final RecentKeys recentKeys;
    private final Clock clock;
    private volatile BrokerListener listener = event -> { };

    /** Every room keeps {@code historySize} messages no older than {@code historyMaxAge}. */
    public LocalBroker(int historySize, Duration historyMaxAge, long historyMaxBytes, Clock clock) {
        this(RoomHistory.uniform(historySize, historyMaxAge), historyMaxBytes, DEFAULT_IDEMPOTENCY_WINDOW, clock);
    }

    public LocalBroker(RoomHistory.HistoryPolicy historyPolicy, long historyMaxBytes, Duration idempotencyWindow,
                       Clock clock) {
        this.historyPolicy = historyPolicy;
        this.historyMaxBytes = historyMaxBytes;
        this.recentKeys = new RecentKeys(idempotencyWindow, MAX_IDEMPOTENCY_KEYS, clock);
        this.clock = clock;
    }

    @Override
    public void start(BrokerListener listener) {
        this.listener = listener;
    }

    /**
     * Appends (unless {@code store} is false) and delivers under the room log's monitor, which keeps every
     * loop's queue in offset order and makes "is the idempotency key new, then deliver" one step.
     */
    @Override
    public CompletionStage<Position> publish(String room, Draft draft) {
        String key = draft.idempotencyKey();
        Position position = withLog(room, log -> {
            RecentKeys.Seen seen = key == null ? null : recentKeys.seen(room, key);
            if (seen != null) {
                return seen.position();
            }
            RoomEvent.Message message = draft.store() ? log.append(room, draft) : RoomEvent.Message.of(room, null, draft);
            if (log.subscribed()) {
                listener.onEvent(message);
            }
            if (key != null) {
                recentKeys.remember(room, key, message.position());
            }
            return message.position();
        });
        evictIfOverBound();
        return CompletableFuture.completedFuture(position);
    }

    /** Idempotency keys remembered now. */
    public int idempotencyKeys() {
        return recentKeys.size();
    }

    @Override
    public void broadcast(RoomEvent event) {
        deliver(event);
    }

    @Override
    public CompletionStage<Void> subscribe(String room) {
        subscribed.add(room);
        copySubscription(room);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> unsubscribe(String room) {
        subscribed.remove(room);
        copySubscription(room);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<HistorySlice> history(String room, Position since, int limit) {
        HistorySlice slice = withLog(room, log -> log.read(since, limit));
        // Reads create logs too (a room's epoch starts with its first use), so they count against the bound.
        evictIfOverBound();
        return CompletableFuture.completedFuture(slice);
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void close() {
        logs.clear();
    }

    /** Estimated bytes all rooms' history holds now. */
    public long historyBytes() {
        return historyBytes.get();
    }

    /**
     * Hands the event to the listener if this node subscribed to its room, as a remote broker would. A publish asks
     * the room's log instead ({@link RoomLog#subscribed}), which it holds already.
     */
    private void deliver(RoomEvent event) {
        if (subscribed.contains(event.room())) {
            listener.onEvent(event);
        }
    }

    /**
     * Copies whether the room is subscribed into its log, if it has one. Under the map's lock for the room, after the
     * change to {@link #subscribed}: a log made at the same time ({@link #withLog}) is either made first and updated
     * here, or made after and reads the set itself; with a subscribe and an unsubscribe racing, the later copy reads
     * the set after both changes.
     */
    private void copySubscription(String room) {
        logs.computeIfPresent(room, (r, log) -> {
            log.subscribed(subscribed.contains(r));
            return log;
        });
    }

    /** Runs {@code action} on the room's live log under its monitor, retrying if it was just evicted. */
    private <T> T withLog(String room, Function<RoomLog, T> action) {
        while (true) {
            RoomLog log = logs.computeIfAbsent(room, this::newLog);
            synchronized (log) {
                if (!log.evicted()) {
                    return action.apply(log);
                }
            }
            logs.remove(room, log);
        }
    }

    /** Drops whole rooms' history, least recently active first, until the total is under 90% of the bound. */
    private void evictIfOverBound() {
        if (historyBytes.get() <= historyMaxBytes || !evicting.tryLock()) {
            return;
        }
        try {
            record Candidate(String room, RoomLog log, long touchedMillis) {
            }
            List<Candidate> candidates = new ArrayList<>(logs.size());
            logs.forEach((room, log) -> candidates.add(new Candidate(room, log, log.lastTouchedMillis())));
            candidates.sort(Comparator.comparingLong(Candidate::touchedMillis));
            long target = historyMaxBytes - historyMaxBytes / 10;
            for (Candidate candidate : candidates) {
                if (historyBytes.get() <= target) {
                    break;
                }
                synchronized (candidate.log()) {
                    candidate.log().evict();
                }
                logs.remove(candidate.room(), candidate.log());
            }
        } finally {
            evicting.unlock();
        }
    }

    /** A new log for the room; under the map's lock for it (see {@link #copySubscription}). */
    private RoomLog newLog(String room) {
        RoomLog log = new RoomLog(Position.newEpoch(), historyPolicy.of(room), clock, historyBytes);
        log.subscribed(subscribed.contains(room));
        return log;
    }
}
