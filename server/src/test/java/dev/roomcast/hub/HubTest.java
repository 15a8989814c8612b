package dev.roomcast.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roomcast.broker.Backend;
import dev.roomcast.broker.LocalBroker;
import dev.roomcast.room.RoomEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HubTest {

    private final InlineLoop loop0 = new InlineLoop(0);
    private final InlineLoop loop1 = new InlineLoop(1);
    private final CountingEncoder encoder = new CountingEncoder();
    private final List<Long> latencySamples = new ArrayList<>();
    private Hub hub;

    @BeforeEach
    void setUp() {
        hub = new Hub(List.of(loop0, loop1), Backend.local(new LocalBroker(100, Duration.ZERO, Long.MAX_VALUE, Clock.systemUTC())), encoder, Clock.systemUTC(),
                latencySamples::add);
    }

    private static List<String> texts(FakeSession session) {
        return session.delivered.stream()
                .map(e -> e instanceof RoomEvent.Message m ? m.text() : e.getClass().getSimpleName())
                .toList();
    }

    /** Runs the loops and forgets what the joins delivered (presence changes), so a test sees only what follows. */
    private void settle(FakeSession... sessions) {
        loop0.runAll();
        loop1.runAll();
        for (FakeSession session : sessions) {
            session.delivered.clear();
            session.flush();
            session.flushes = 0;
        }
        encoder.prepared.set(0);
    }

    @Test
    void aBroadcastIsPreparedOnceAndHandsEachLoopOneTask() {
        FakeSession a = new FakeSession("a", "ann", loop0);
        FakeSession b = new FakeSession("b", "bob", loop0);
        FakeSession c = new FakeSession("c", "cid", loop1);
        hub.join(a, "lobby");
        hub.join(b, "lobby");
        hub.join(c, "lobby");
        settle(a, b, c);

        hub.broadcast("lobby", "ann", "hello");

        assertThat(encoder.prepared).hasValue(1);
        assertThat(loop0.pending()).isEqualTo(1);
        assertThat(loop1.pending()).isEqualTo(1);
        loop0.runAll();
        loop1.runAll();
        assertThat(texts(a)).containsExactly("hello");
        assertThat(texts(b)).containsExactly("hello");
        assertThat(texts(c)).containsExactly("hello");
        assertThat(encoder.liveReferences).as("every reference released").hasValue(0);
    }

    @Test
    void aBurstOfBroadcastsIsFlushedOncePerMember() {
        FakeSession a = new FakeSession("a", "ann", loop0);
        FakeSession b = new FakeSession("b", "bob", loop0);
        hub.join(a, "lobby");
        hub.join(b, "lobby");
        settle(a, b);

        for (int i = 0; i < 5; i++) {
            hub.broadcast("lobby", "ann", "m" + i);
        }
        loop0.runAll();

        assertThat(texts(a)).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(a.flushes).isEqualTo(1);
        assertThat(b.flushes).isEqualTo(1);
    }

    @Test
    void deliveryLatencyIsSampledOncePerLoopBatchNotPerDeliveryOrEvent() {
        FakeSession a = new FakeSession("a", "ann", loop0);
        FakeSession b = new FakeSession("b", "bob", loop0);
        FakeSession c = new FakeSession("c", "cid", loop1);
        for (FakeSession member : List.of(a, b, c)) {
            hub.join(member, "lobby");
        }
        settle(a, b, c);
        latencySamples.clear();

        long before = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            hub.broadcast("lobby", "ann", "m" + i);
        }
        loop0.runAll();
        loop1.runAll();
        long waited = System.nanoTime() - before;

        assertThat(texts(a)).hasSize(5);
        assertThat(latencySamples).as("one batch on each of the two loops").hasSize(2)
                .allSatisfy(nanos -> assertThat(nanos).isBetween(0L, waited));
    }

    @Test
    void offsetsGrowByOnePerMessageInARoom() {
        FakeSession a = new FakeSession("a", "ann", loop0);
        hub.join(a, "lobby");
        settle(a);
        hub.broadcast("lobby", "ann", "one");
        hub.broadcast("lobby", "ann", "two");
        loop0.runAll();
        List<Long> offsets = a.delivered.stream().map(e -> ((RoomEvent.Message) e).position().offset()).toList();
        assertThat(offsets).containsExactly(1L, 2L);
    }

    @Test
    void leavingTellsTheRemainingMembersOnlyAndAnEmptyRoomDisappears() {
        FakeSession a = new FakeSession("a", "ann", loop0);
        FakeSession b = new FakeSession("b", "bob", loop1);
        hub.join(a, "lobby");
        hub.join(b, "lobby");
        assertThat(hub.rooms()).containsEntry("lobby", 2);
        settle(a, b);

        assertThat(hub.leave(a, "lobby")).isTrue();
        loop0.runAll();
        loop1.runAll();
        assertThat(a.delivered).isEmpty();
        assertThat(b.delivered).containsExactly(
                new RoomEvent.SessionLeft("lobby", "ann"), new RoomEvent.PresenceChange("lobby", "ann", false));
        assertThat(hub.rooms()).containsEntry("lobby", 1);

        hub.disconnect(b);
        assertThat(hub.rooms()).doesNotContainKey("lobby");
    }

    @Test
    void aCrowdLeavingAtOnceIsAnnouncedOnceToEachMemberThatStaysAndToNobodyElse() {
        List<FakeSession> crowd = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            crowd.add(new FakeSession("c" + i, "user" + i, i % 2 == 0 ? loop0 : loop1));
        }
        FakeSession stays0 = new FakeSession("s0", "sue", loop0);
        FakeSession stays1 = new FakeSession("s1", "sam", loop1);
        crowd.forEach(c -> hub.join(c, "hall"));
        hub.join(stays0, "hall");
        hub.join(stays1, "hall");
        settle(stays0, stays1);
        crowd.forEach(FakeSession::clear);

        crowd.forEach(c -> hub.disconnect(c));
        loop0.runAll();
        loop1.runAll();

        for (FakeSession stays : List.of(stays0, stays1)) {
            assertThat(stays.delivered).filteredOn(e -> e instanceof RoomEvent.SessionLeft).hasSize(50);
            assertThat(stays.delivered).filteredOn(e -> e instanceof RoomEvent.PresenceChange).hasSize(50);
        }
        assertThat(crowd).allSatisfy(c -> assertThat(c.delivered).isEmpty());
    }

    @Test
    void heldDeparturesGoOutBeforeTheRoomsNextMessageSoTheOrderIsKept() {
        FakeSession a = new FakeSession("a", "ann", loop0);
        FakeSession b = new FakeSession("b", "bob", loop0);
        FakeSession c = new FakeSession("c", "cid", loop0);
        hub.join(a, "lobby");
        hub.join(b, "lobby");
        hub.join(c, "lobby");
        settle(a, b, c);

        hub.leave(a, "lobby");
        hub.broadcast("lobby", "bob", "after ann left");
        loop0.runAll();

        assertThat(texts(c)).containsExactly("SessionLeft", "PresenceChange", "after ann left");
    }

    @Test
    void joiningTwiceIsOneMembership() {
        FakeSession a = new FakeSession("a", "ann", loop0);
        assertThat(hub.join(a, "lobby")).isTrue();
        assertThat(hub.join(a, "lobby")).isFalse();
        assertThat(hub.memberCount("lobby")).isEqualTo(1);
        assertThat(hub.leave(a, "other")).isFalse();
    }

    @Test
    void roomsDoNotLeakIntoEachOther() {
        FakeSession a = new FakeSession("a", "ann", loop0);
        FakeSession b = new FakeSession("b", "bob", loop0);
        hub.join(a, "red");
        hub.join(b, "blue");
        settle(a, b);
        hub.broadcast("red", "ann", "for red");
        loop0.runAll();
        assertThat(texts(a)).containsExactly("for red");
        assertThat(b.delivered).isEmpty();
    }

    @Test
    void aSessionMustNotChangeMembershipDuringAFanOut() {
        FakeSession a = new FakeSession("a", "ann", loop0) {
            @Override
            public boolean push(SharedEvent event) {
                if (event.event() instanceof RoomEvent.Message) {
                    hub.leave(this, "lobby");
                }
                return false;
            }
        };
        hub.join(a, "lobby");
        settle(a);
        hub.broadcast("lobby", "ann", "x");
        assertThatThrownBy(loop0::runAll).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("during a fan-out");
    }

    @Test
    void anUnansweredPublishIsDeliveredOnThePublishersLoopAtOnceWithoutATask() {
        FakeSession a = new FakeSession("a", "ann", loop0);
        hub.join(a, "solo");
        settle(a);

        hub.broadcastFrom(a, "solo", "echo");

        assertThat(texts(a)).containsExactly("echo");
        assertThat(loop0.pending()).as("only the flush").isEqualTo(1);
        loop0.runAll();
        assertThat(a.flushes).isEqualTo(1);
        assertThat(encoder.liveReferences).as("every reference released").hasValue(0);
    }

    @Test
    void aMessageOnTheLoopWaitsBehindOneQueuedFromAnotherThreadSoTheRoomKeepsItsOrder() {
        FakeSession a = new FakeSession("a", "ann", loop0);
        FakeSession c = new FakeSession("c", "cid", loop1);
        hub.join(a, "lobby");
        hub.join(c, "lobby");
        settle(a, c);

        loop0.fromOutside(() -> hub.broadcast("lobby", "cid", "first"));
        hub.broadcastFrom(a, "lobby", "second");

        assertThat(texts(a)).as("held behind the queued one").isEmpty();
        loop0.runAll();
        loop1.runAll();
        assertThat(texts(a)).containsExactly("first", "second");
        assertThat(texts(c)).containsExactly("first", "second");

        hub.broadcastFrom(a, "lobby", "third");
        assertThat(texts(a)).as("nothing queued any more: at once").containsExactly("first", "second", "third");
        loop0.runAll();
        loop1.runAll();
        assertThat(encoder.liveReferences).as("every reference released").hasValue(0);
    }

    @Test
    void anAnsweredPublishIsAlwaysATaskSoItsAnswerGoesOutFirst() {
        FakeSession a = new FakeSession("a", "ann", loop0);
        hub.join(a, "solo");
        settle(a);

        hub.broadcast("solo", "ann", "json");

        assertThat(a.delivered).isEmpty();
        loop0.runAll();
        assertThat(texts(a)).containsExactly("json");
    }

    @Test
    void presenceChangesAreAlwaysQueuedSinceAJoinBroadcastsThemBeforeItHoldsTheMember() {
        FakeSession a = new FakeSession("a", "ann", loop0);
        hub.join(a, "lobby");

        assertThat(a.delivered).isEmpty();
        loop0.runAll();
        assertThat(a.delivered).singleElement().isInstanceOf(RoomEvent.PresenceChange.class);
    }
}
