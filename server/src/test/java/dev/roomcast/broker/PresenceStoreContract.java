package dev.roomcast.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.room.Draft;
import dev.roomcast.room.RoomEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link PresenceStore} does, whatever keeps the counts: a user is one entry with a session
 * count, joined is announced for the first session and left for the last, and the announcements reach
 * the room's members in order with its messages. A subclass says how to make a node.
 */
@Timeout(60)
public abstract class PresenceStoreContract extends BackendContract {

    @Test
    void aUsersFirstSessionInARoomIsAnnouncedAndSoIsTheLastOneLeaving() {
        Backend node = started();
        String room = uniqueName();
        node.broker().subscribe(room).toCompletableFuture().join();
        node.presence().enter(room, "ann");
        node.presence().enter(room, "ann");
        node.presence().enter(room, "bob");
        assertThat(presence(node, room)).isEqualTo(Map.of("ann", 2, "bob", 1));
        node.presence().exit(room, "ann");
        node.presence().exit(room, "carl");
        assertThat(presence(node, room)).isEqualTo(Map.of("ann", 1, "bob", 1));
        node.presence().exit(room, "ann");

        await().atMost(DELIVERY).until(() -> presenceChanges().size() >= 3);
        assertThat(presenceChanges()).containsExactly(
                new RoomEvent.PresenceChange(room, "ann", true),
                new RoomEvent.PresenceChange(room, "bob", true),
                new RoomEvent.PresenceChange(room, "ann", false));
        assertThat(presence(node, room)).isEqualTo(Map.of("bob", 1));
        assertThat(presence(node, uniqueName())).isEmpty();
    }

    @Test
    void presenceChangesReachMembersInOrderWithTheRoomsMessagesFromTheSameThread() {
        Backend node = started();
        String room = uniqueName();
        node.broker().subscribe(room).toCompletableFuture().join();
        long now = System.currentTimeMillis();
        node.broker().publish(room, new Draft("ann", "before", now));
        node.presence().enter(room, "bob");
        node.broker().publish(room, new Draft("ann", "between", now));
        node.presence().exit(room, "bob");
        node.broker().publish(room, new Draft("ann", "after", now)).toCompletableFuture().join();

        await().atMost(DELIVERY).until(() -> delivered.size() >= 5);
        assertThat(delivered).extracting(e -> e instanceof RoomEvent.Message m ? m.text() : e).containsExactly(
                "before", new RoomEvent.PresenceChange(room, "bob", true), "between",
                new RoomEvent.PresenceChange(room, "bob", false), "after");
    }

    @Test
    void theRoomsOfThisNodeAreListedAsTheyAreNow() {
        Backend node = started();
        Map<String, Integer> rooms = new ConcurrentHashMap<>();
        node.presence().announceNode(uniqueName(), () -> 0, () -> rooms);
        String room = uniqueName();
        rooms.put(room, 2);
        assertThat(node.presence().rooms().toCompletableFuture().join()).containsEntry(room, 2);
        rooms.remove(room);
        assertThat(node.presence().rooms().toCompletableFuture().join()).doesNotContainKey(room);
    }

    @Test
    void aCountRoomsTotalIsAnnouncedWhenItChangesOrWhenAskedAndReadBack() {
        Backend node = started();
        String room = uniqueName();
        node.broker().subscribe(room).toCompletableFuture().join();
        node.presence().setOccupancy(room, 3, false);
        await().atMost(DELIVERY).until(() -> occupancies(room).size() == 1);
        node.presence().setOccupancy(room, 3, false);
        node.presence().setOccupancy(room, 5, false);
        await().atMost(DELIVERY).until(() -> occupancies(room).size() == 2);
        assertThat(node.presence().occupancy(room).toCompletableFuture().join()).isEqualTo(5);
        node.presence().setOccupancy(room, 5, true);
        node.presence().setOccupancy(room, 0, false);

        await().atMost(DELIVERY).until(() -> occupancies(room).size() == 4);
        assertThat(occupancies(room)).as("an unchanged total is announced only when asked").containsExactly(
                new RoomEvent.Occupancy(room, 3), new RoomEvent.Occupancy(room, 5), new RoomEvent.Occupancy(room, 5),
                new RoomEvent.Occupancy(room, 0));
        assertThat(node.presence().occupancy(room).toCompletableFuture().join()).isZero();
    }

    private List<RoomEvent> occupancies(String room) {
        return delivered.stream().filter(e -> e instanceof RoomEvent.Occupancy o && o.room().equals(room)).toList();
    }
}
