package dev.roomcast.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Counting sessions per user and room, and reacting to each count inside the room's atomic step. */
class PresenceCountsTest {


    @Test
    void countsPerUserAndRoomAndCallsBackWithEachNewCount() {
        PresenceCounts presence = new PresenceCounts();
        List<Integer> counts = new java.util.ArrayList<>();
        presence.add("lobby", "ann", counts::add);
        presence.add("lobby", "ann", counts::add);
        presence.add("lobby", "bob", counts::add);
        assertThat(presence.users("lobby")).isEqualTo(Map.of("ann", 2, "bob", 1));
        presence.remove("lobby", "ann", counts::add);
        presence.remove("lobby", "bob", counts::add);
        presence.remove("lobby", "carl", counts::add);
        assertThat(counts).as("nothing for a user who was not counted").containsExactly(1, 2, 1, 1, 0);
        assertThat(presence.users("lobby")).isEqualTo(Map.of("ann", 1));

        List<String> seen = new java.util.ArrayList<>();
        for (String room : presence.rooms()) {
            presence.withRoom(room, users -> seen.add(room + "=" + users));
        }
        assertThat(seen).containsExactly("lobby={ann=1}");
    }

    @Test
    void concurrentJoinsAndLeavesOfOneUserLeaveConsistentCounts() throws Exception {
        PresenceCounts presence = new PresenceCounts();
        List<Boolean> announced = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch done = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            threads.execute(() -> {
                for (int i = 0; i < 10_000; i++) {
                    presence.add("lobby", "ann", count -> {
                        if (count == 1) {
                            announced.add(true);
                        }
                    });
                    presence.remove("lobby", "ann", count -> {
                        if (count == 0) {
                            announced.add(false);
                        }
                    });
                }
                done.countDown();
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        threads.shutdown();
        assertThat(presence.users("lobby")).isEmpty();
        for (int i = 0; i < announced.size(); i++) {
            assertThat(announced.get(i)).as("joined and left alternate, change %d", i).isEqualTo(i % 2 == 0);
        }
    }

}
