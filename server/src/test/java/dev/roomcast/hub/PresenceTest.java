package dev.roomcast.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.broker.Backend;
import dev.roomcast.broker.LocalBroker;
import dev.roomcast.room.RoomEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Presence and direct messages at hub level: a user is one entry however many sessions, on however many loops. */
class PresenceTest {

    private final InlineLoop loop0 = new InlineLoop(0);
    private final InlineLoop loop1 = new InlineLoop(1);
    private final Hub hub = new Hub(List.of(loop0, loop1),
            Backend.local(new LocalBroker(100, Duration.ZERO, Long.MAX_VALUE, Clock.systemUTC())),
            new CountingEncoder(), Clock.systemUTC(), nanos -> { });

    private void runLoops() {
        loop0.runAll();
        loop1.runAll();
    }

    private Map<String, Integer> presence(String room) {
        return hub.presence(room).toCompletableFuture().join();
    }

    private static List<RoomEvent> presenceChanges(FakeSession session) {
        return session.delivered.stream().filter(e -> e instanceof RoomEvent.PresenceChange).toList();
    }

    @Test
    void aUserWithSessionsOnTwoLoopsIsOneEntryJoinedOnceAndLeftAfterTheLast() {
        FakeSession observer = new FakeSession("o", "obs", loop0);
        hub.join(observer, "lobby");
        FakeSession tab1 = new FakeSession("1", "ann", loop0);
        FakeSession tab2 = new FakeSession("2", "ann", loop1);
        FakeSession tab3 = new FakeSession("3", "ann", loop1);
        hub.join(tab1, "lobby");
        hub.join(tab2, "lobby");
        hub.join(tab3, "lobby");
        runLoops();
        assertThat(presence("lobby")).isEqualTo(Map.of("ann", 3, "obs", 1));

        hub.leave(tab2, "lobby");
        hub.disconnect(tab1);
        runLoops();
        assertThat(presence("lobby")).isEqualTo(Map.of("ann", 1, "obs", 1));
        hub.disconnect(tab3);
        runLoops();

        assertThat(presenceChanges(observer)).containsExactly(
                new RoomEvent.PresenceChange("lobby", "obs", true),
                new RoomEvent.PresenceChange("lobby", "ann", true),
                new RoomEvent.PresenceChange("lobby", "ann", false));
        assertThat(presence("lobby")).isEqualTo(Map.of("obs", 1));
        hub.disconnect(observer);
        assertThat(presence("lobby")).isEmpty();
    }

    @Test
    void directMessagesReachEverySessionOfTheUserOnItsOwnLoop() {
        FakeSession tab1 = new FakeSession("1", "ann", loop0);
        FakeSession tab2 = new FakeSession("2", "ann", loop1);
        FakeSession bob = new FakeSession("b", "bob", loop0);
        hub.connect(tab1);
        hub.connect(tab2);
        hub.connect(bob);

        assertThat(hub.broadcastToUser("bob", "ann", "psst").toCompletableFuture().join()).isTrue();
        assertThat(tab1.directs).as("delivered on the loop, not inline").isEmpty();
        runLoops();
        assertThat(tab1.directs).singleElement().satisfies(d -> assertThat(d.text()).isEqualTo("psst"));
        assertThat(tab2.directs).hasSize(1);
        assertThat(bob.directs).isEmpty();

        hub.disconnect(tab1);
        hub.disconnect(tab2);
        assertThat(hub.broadcastToUser("bob", "ann", "gone?").toCompletableFuture().join()).isFalse();
    }
}
