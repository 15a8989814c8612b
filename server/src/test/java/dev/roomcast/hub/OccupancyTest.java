package dev.roomcast.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.broker.LocalBroker;
import dev.roomcast.broker.LocalPresenceStore;
import dev.roomcast.room.RoomEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The count rooms' tick, driven by hand: however many members come and go between two ticks, the room's members
 * are shown one total per tick, and only when it changed or someone joined.
 */
class OccupancyTest {

    private final Map<String, Integer> members = new HashMap<>();
    private final List<RoomEvent.Occupancy> shown = new ArrayList<>();
    private final LocalBroker broker = new LocalBroker(100, Duration.ZERO, Long.MAX_VALUE, Clock.systemUTC());
    private final Occupancy occupancy = new Occupancy(new LocalPresenceStore(broker),
            room -> members.getOrDefault(room, 0), event -> shown.add((RoomEvent.Occupancy) event));

    OccupancyTest() {
        broker.start(event -> occupancy.heard((RoomEvent.Occupancy) event));
        List.of("stage", "a", "b").forEach(broker::subscribe);
    }

    @AfterEach
    void close() {
        occupancy.close();
    }

    private void join(String room, int count) {
        for (int i = 0; i < count; i++) {
            members.merge(room, 1, Integer::sum);
            occupancy.memberJoined(room);
        }
    }

    private void leave(String room, int count) {
        for (int i = 0; i < count; i++) {
            members.merge(room, -1, Integer::sum);
            occupancy.memberLeft(room);
        }
    }

    @Test
    void thousandsOfJoinsAndLeavesBetweenTwoTicksAreOneTotal() {
        join("stage", 5000);
        leave("stage", 1200);
        assertThat(shown).as("nothing between ticks").isEmpty();
        occupancy.tick();
        assertThat(shown).containsExactly(new RoomEvent.Occupancy("stage", 3800));

        shown.clear();
        occupancy.tick();
        assertThat(shown).as("a quiet tick sends nothing").isEmpty();

        leave("stage", 1);
        occupancy.tick();
        assertThat(shown).containsExactly(new RoomEvent.Occupancy("stage", 3799));
    }

    @Test
    void aJoinThatLeavesTheTotalAsItWasStillShowsItSoTheNewcomerHearsIt() {
        join("stage", 3);
        occupancy.tick();
        shown.clear();

        leave("stage", 1);
        join("stage", 1);
        occupancy.tick();
        assertThat(shown).containsExactly(new RoomEvent.Occupancy("stage", 3));

        shown.clear();
        leave("stage", 1);
        join("stage", 1);
        leave("stage", 1);
        occupancy.tick();
        assertThat(shown).containsExactly(new RoomEvent.Occupancy("stage", 2));
    }

    @Test
    void aRoomThatEmptiedShowsNothingAndStartsAfreshWhenMembersReturn() {
        join("stage", 2);
        occupancy.tick();
        leave("stage", 2);
        shown.clear();
        occupancy.tick();
        assertThat(shown).isEmpty();

        join("stage", 1);
        occupancy.tick();
        assertThat(shown).containsExactly(new RoomEvent.Occupancy("stage", 1));
    }

    @Test
    void roomsAreCountedApart() {
        join("a", 2);
        join("b", 7);
        occupancy.tick();
        assertThat(shown).containsExactlyInAnyOrder(new RoomEvent.Occupancy("a", 2), new RoomEvent.Occupancy("b", 7));
    }
}
