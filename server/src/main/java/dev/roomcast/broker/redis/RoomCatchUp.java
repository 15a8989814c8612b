package dev.roomcast.broker.redis;

import dev.roomcast.broker.BrokerListener;
import dev.roomcast.broker.RoomHistory;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what subscribed rooms missed from their history and hands it to their {@link RoomFeed}s: after
 * the pub/sub connection came back, and when a live message skips ahead of the last one delivered.
 *
 * <p>Threading: thread-safe (no state of its own); reads complete on Lettuce I/O threads and are
 * retried on the link's health thread.
 */
final class RoomCatchUp {

    private static final Logger log = LoggerFactory.getLogger(RoomCatchUp.class);

    /** A room's history read: the same as {@link RedisBroker#history}. */
    @FunctionalInterface
    interface HistoryReader {
        CompletionStage<HistorySlice> history(String room, Position since, int limit);
    }

    private final RedisLink link;
    private final Map<String, RoomFeed> feeds;
    private final HistoryReader reader;
    private final RoomHistory.HistoryPolicy historyPolicy;
    private final Supplier<BrokerListener> listener;

    RoomCatchUp(RedisLink link, Map<String, RoomFeed> feeds, HistoryReader reader,
                RoomHistory.HistoryPolicy historyPolicy, Supplier<BrokerListener> listener) {
        this.link = link;
        this.feeds = feeds;
        this.reader = reader;
        this.historyPolicy = historyPolicy;
        this.listener = listener;
    }

    /**
     * After the pub/sub connection came back: once its re-subscriptions are in effect (the answer to a
     * PING on it comes after theirs), reads what each room missed and delivers it before the held events.
     * Without that answer (the PING timed out, or the connection dropped again) nothing is read yet: a read
     * could end before the subscriptions take effect, and a message published in between would reach this
     * node neither way, silently, until the room's next one. The PING is sent again every second while the
     * held events wait.
     */
    void afterReconnect() {
        link.pubSub.async().ping().whenComplete((pong, failure) -> {
            if (failure != null) {
                log.debug("the re-subscriptions are not confirmed yet, asking again: {}", failure.toString());
                link.retryLater(this::afterReconnect);
                return;
            }
            feeds.forEach(this::afterResubscribed);
        });
    }

    /**
     * The room's subscription was made again and is in effect: reads what the room missed meanwhile, or, when a
     * read is in flight (it may have ended before the subscription took effect), once more after it.
     */
    void afterResubscribed(String room, RoomFeed feed) {
        feed.resubscribed();
        read(room, feed);
    }

    /**
     * Reads what the room missed since the last message delivered and hands it to the feed, which
     * delivers it before the held events. The command connection reconnects on its own schedule, so a
     * read that fails is retried every second for as long as the room is subscribed: members wait
     * rather than miss messages silently.
     */
    void read(String room, RoomFeed feed) {
        Position from = feed.startReading();
        if (from == null) {
            feed.releaseHeldUnlessReading(listener.get());
            return;
        }
        readMissed(room, from).whenComplete((missed, failure) -> {
            if (feeds.get(room) != feed) {
                return;
            }
            if (failure != null) {
                feed.readFailed();
                log.debug("room {}: reading what was missed failed, retrying: {}", room, failure.toString());
                link.retryLater(() -> read(room, feed));
                return;
            }
            if (missed.gapAfter() != null) {
                log.warn("room {}: the history no longer holds everything this node missed; members are told to reload", room);
            }
            link.observer.caughtUp(missed.messages().size());
            if (feed.catchUp(missed.gapAfter(), missed.messages(), listener.get())) {
                read(room, feed);
            }
        });
    }

    /**
     * What the room published after {@code from}: the messages when the history still holds them all.
     * When the epoch changed (Redis lost the room's keys) the new epoch is read from its start and
     * delivered behind a gap at its offset 0, since what followed {@code from} in the old one is gone;
     * when the history no longer reaches back, a gap at the room's current position and nothing else.
     */
    private CompletionStage<Missed> readMissed(String room, Position from) {
        int limit = historyPolicy.of(room).size();
        return reader.history(room, from, limit).thenCompose(slice -> {
            if (slice.complete()) {
                return CompletableFuture.completedFuture(new Missed(null, slice.messages()));
            }
            if (slice.current().epoch().equals(from.epoch())) {
                return CompletableFuture.completedFuture(new Missed(slice.current(), List.of()));
            }
            Position epochStart = new Position(slice.current().epoch(), 0);
            return reader.history(room, epochStart, limit).thenApply(fromStart -> fromStart.complete()
                    ? new Missed(epochStart, fromStart.messages())
                    : new Missed(fromStart.current(), List.of()));
        });
    }

    /** A catch-up's reading: a gap to announce before the messages (null when there is none), and the messages. */
    private record Missed(Position gapAfter, List<RoomEvent.Message> messages) {
    }
}
