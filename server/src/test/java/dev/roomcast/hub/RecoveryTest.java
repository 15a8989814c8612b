package dev.roomcast.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.broker.Backend;
import dev.roomcast.broker.Broker;
import dev.roomcast.broker.BrokerListener;
import dev.roomcast.broker.LocalBroker;
import dev.roomcast.broker.LocalDirectRouter;
import dev.roomcast.broker.LocalLifecycleLedger;
import dev.roomcast.broker.LocalPresenceStore;
import dev.roomcast.room.Draft;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Joins with replay at hub level: the order of answer, replay and live events, with history reads that complete late. */
class RecoveryTest {

    /** A LocalBroker whose history reads complete only when the test says so, either reading then or earlier. */
    private static final class LateHistoryBroker implements Broker {
        final LocalBroker local = new LocalBroker(100, Duration.ZERO, Long.MAX_VALUE, Clock.systemUTC());
        final List<Runnable> pendingReads = new ArrayList<>();
        boolean readAtCall = true;
        RuntimeException failure;
        BrokerListener listener;

        @Override public void start(BrokerListener listener) { this.listener = listener; local.start(listener); }
        @Override public CompletionStage<Position> publish(String room, Draft draft) { return local.publish(room, draft); }
        @Override public void broadcast(RoomEvent event) { local.broadcast(event); }
        @Override public CompletionStage<Void> subscribe(String room) { return local.subscribe(room); }
        @Override public CompletionStage<Void> unsubscribe(String room) { return local.unsubscribe(room); }
        @Override public boolean isReady() { return true; }
        @Override public void close() { local.close(); }

        @Override
        public CompletionStage<HistorySlice> history(String room, Position since, int limit) {
            CompletableFuture<HistorySlice> result = new CompletableFuture<>();
            Supplier<HistorySlice> read = () -> local.history(room, since, limit).toCompletableFuture().join();
            HistorySlice early = readAtCall ? read.get() : null;
            pendingReads.add(() -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(readAtCall ? early : read.get());
                }
            });
            return result;
        }

        void completeReads() {
            pendingReads.forEach(Runnable::run);
            pendingReads.clear();
        }
    }

    private final InlineLoop loop = new InlineLoop(0);
    private final LateHistoryBroker broker = new LateHistoryBroker();
    private final CountingEncoder encoder = new CountingEncoder();
    private final List<JoinOutcome> outcomes = new ArrayList<>();
    private Hub hub;
    private FakeSession publisher;

    @BeforeEach
    void setUp() {
        hub = new Hub(List.of(loop), new Backend(broker, new LocalPresenceStore(broker), new LocalDirectRouter(), new LocalLifecycleLedger()), encoder, Clock.systemUTC(), nanos -> { });
        publisher = new FakeSession("p", "pub", loop);
        hub.join(publisher, "lobby");
        loop.runAll();
    }

    private Position publish(int count, String prefix) {
        Position last = null;
        for (int i = 1; i <= count; i++) {
            last = hub.broadcast("lobby", "pub", prefix + i).toCompletableFuture().join();
        }
        return last;
    }

    /** What the session received, outcomes included, in order: message texts, and "joined:user" for presence. */
    private static List<String> seen(FakeSession session) {
        return session.delivered.stream().map(e -> e instanceof RoomEvent.Message m ? m.text()
                : e instanceof RoomEvent.PresenceChange p ? (p.joined() ? "joined:" : "left:") + p.user()
                : e.toString()).toList();
    }

    private FakeSession joinLate(Replay replay) {
        FakeSession session = new FakeSession("s", "sam", loop) {
            @Override
            public boolean push(SharedEvent event) {
                assertThat(outcomes).as("the answer comes before any delivery").isNotEmpty();
                return super.push(event);
            }
        };
        hub.join(session, "lobby", replay, outcomes::add);
        return session;
    }

    @Test
    void liveEventsDuringTheHistoryReadFollowTheReplayWithNoDuplicateWhenTheReadCameFirst() {
        Position seen = publish(3, "old");
        publish(2, "missed");
        FakeSession sam = joinLate(Replay.since(seen));
        publish(2, "live");
        loop.runAll();
        assertThat(sam.delivered).as("held while the history is read").isEmpty();

        broker.completeReads();
        loop.runAll();

        assertThat(outcomes).containsExactly(new JoinOutcome.Joined(new Position(seen.epoch(), 5),
                new JoinOutcome.Recovery(true, 2), 2));
        assertThat(seen(sam)).containsExactly("missed1", "missed2", "joined:sam", "live1", "live2");
        assertThat(encoder.liveReferences).hasValue(0);
    }

    @Test
    void liveEventsAlreadyInTheReplayAreNotDeliveredTwiceWhenTheReadCameLast() {
        broker.readAtCall = false;
        Position seen = publish(3, "old");
        FakeSession sam = joinLate(Replay.since(seen));
        publish(2, "during");
        loop.runAll();

        broker.completeReads();
        loop.runAll();
        publish(1, "after");
        loop.runAll();

        assertThat(outcomes).containsExactly(new JoinOutcome.Joined(new Position(seen.epoch(), 5),
                new JoinOutcome.Recovery(true, 2), 2));
        assertThat(seen(sam)).containsExactly("during1", "during2", "joined:sam", "after1");
        assertThat(encoder.liveReferences).hasValue(0);
    }

    /** Redis: the history answer and the pub/sub copies come on different connections, either first (#10). */
    @Test
    void aLiveCopyArrivingAfterTheReplayIsNotDeliveredAgain() {
        Position seen = publish(3, "old");
        publish(2, "missed");
        List<RoomEvent.Message> missed = broker.local.history("lobby", seen, 10).toCompletableFuture().join().messages();
        FakeSession sam = joinLate(Replay.since(seen));
        broker.completeReads();
        loop.runAll();

        missed.forEach(broker.listener::onEvent);
        loop.runAll();
        publish(1, "live");
        loop.runAll();

        assertThat(seen(sam)).containsExactly("missed1", "missed2", "joined:sam", "live1");
        assertThat(encoder.liveReferences).hasValue(0);
    }

    @Test
    void aJoinWithoutReplayIsNotGivenALateCopyOfAMessageAtOrBeforeItsPosition() {
        publish(2, "before");
        List<RoomEvent.Message> before = broker.local.history("lobby", null, 10).toCompletableFuture().join().messages();
        FakeSession sam = joinLate(Replay.none());
        broker.completeReads();
        loop.runAll();

        broker.listener.onEvent(before.get(1));
        publish(1, "after");
        loop.runAll();

        assertThat(seen(sam)).containsExactly("joined:sam", "after1");
    }

    @Test
    void aJoinWithoutReplayStartsAtTheCurrentPosition() {
        broker.readAtCall = false;
        publish(2, "before");
        FakeSession sam = joinLate(Replay.none());
        publish(1, "racing");
        broker.completeReads();
        loop.runAll();
        publish(1, "after");
        loop.runAll();

        Position position = ((JoinOutcome.Joined) outcomes.get(0)).position();
        assertThat(position.offset()).isEqualTo(3);
        assertThat(seen(sam)).containsExactly("joined:sam", "after1");
    }

    @Test
    void historyReplaysTheNewestMessages() {
        publish(5, "m");
        FakeSession sam = joinLate(Replay.newest(3));
        broker.completeReads();
        loop.runAll();
        assertThat(((JoinOutcome.Joined) outcomes.get(0)).recovery()).isNull();
        assertThat(seen(sam)).containsExactly("m3", "m4", "m5", "joined:sam");
    }

    @Test
    void anOtherEpochIsNotRecoveredAndNothingIsReplayed() {
        publish(4, "m");
        FakeSession sam = joinLate(Replay.since(new Position("gone", 2)));
        broker.completeReads();
        loop.runAll();
        JoinOutcome.Joined joined = (JoinOutcome.Joined) outcomes.get(0);
        assertThat(joined.recovery()).isEqualTo(new JoinOutcome.Recovery(false, 4));
        assertThat(joined.replayed()).isZero();
        assertThat(seen(sam)).containsExactly("joined:sam");
    }

    /** Held members are kept per room: the first to stop being held leaves the other held, with what it kept. */
    @Test
    void twoMembersHeldInOneRoomEachGetWhatWasHeldForThem() {
        Position seen = publish(1, "old");
        FakeSession sam = joinLate(Replay.since(seen));
        FakeSession kim = new FakeSession("k", "kim", loop);
        hub.join(kim, "lobby", Replay.since(seen), outcomes::add);
        publish(1, "during");
        loop.runAll();

        broker.pendingReads.remove(0).run();
        loop.runAll();
        publish(1, "between");
        loop.runAll();
        assertThat(seen(sam)).containsExactly("joined:sam", "joined:kim", "during1", "between1");
        assertThat(kim.delivered).as("still held").isEmpty();

        broker.completeReads();
        loop.runAll();
        // Sam's joined was fanned out after kim had joined too: a fan-out is a task on the loop.
        assertThat(seen(kim)).containsExactly("joined:sam", "joined:kim", "during1", "between1");
        assertThat(encoder.liveReferences).hasValue(0);
    }

    @Test
    void aFailedHistoryReadUndoesTheJoin() {
        broker.failure = new IllegalStateException("store down");
        FakeSession sam = joinLate(Replay.none());
        publish(1, "live");
        loop.runAll();
        broker.completeReads();
        loop.runAll();
        assertThat(outcomes.get(0)).isInstanceOf(JoinOutcome.Failed.class);
        assertThat(hub.isMember(sam, "lobby")).isFalse();
        assertThat(hub.presence("lobby").toCompletableFuture().join()).containsOnlyKeys("pub");
        assertThat(sam.delivered).isEmpty();
        assertThat(encoder.liveReferences).hasValue(0);
    }

    @Test
    void leavingBeforeTheReadCompletesReleasesWhatWasHeld() {
        Position seen = publish(1, "m");
        FakeSession sam = joinLate(Replay.since(seen));
        publish(3, "live");
        loop.runAll();
        hub.leave(sam, "lobby");
        broker.completeReads();
        loop.runAll();
        assertThat(outcomes).hasSize(1);
        assertThat(sam.delivered).isEmpty();
        assertThat(encoder.liveReferences).hasValue(0);
    }

    @Test
    void joiningARoomTwiceIsAnsweredAlreadyJoined() {
        FakeSession sam = joinLate(Replay.none());
        broker.completeReads();
        loop.runAll();
        hub.join(sam, "lobby", Replay.none(), outcomes::add);
        assertThat(outcomes.get(1)).isInstanceOf(JoinOutcome.AlreadyJoined.class);
    }
}
