package dev.roomcast.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.broker.redis.UnannouncedChanges.Told;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which unrun presence changes a heartbeat reconciles, against what, and when they are forgotten. */
class UnannouncedChangesTest {

    private final UnannouncedChanges changes = new UnannouncedChanges();

    private List<String> due(String room, String runId, boolean settled) {
        return changes.due(room, runId, settled).stream().map(due -> due.user() + "=" + due.told()).toList();
    }

    @Test
    void withTheSameRedisTheHashSaysWhatTheRoomWasToldAtOnce() {
        changes.add("lobby", "dave", true, "run-1");
        assertThat(changes.has("lobby")).isTrue();
        assertThat(due("lobby", "run-1", false)).containsExactly("dave=" + Told.FROM_HASH);
    }

    @Test
    void afterARestartTheNodesMemorySaysButOnlyOnceTheRestartSettled() {
        changes.add("lobby", "dave", true, "run-1");
        changes.add("lobby", "erin", false, "run-1");
        assertThat(due("lobby", "run-2", false)).as("other nodes may not have rebuilt their entries yet").isEmpty();
        assertThat(due("lobby", "run-2", true)).containsExactlyInAnyOrder("dave=" + Told.PRESENT, "erin=" + Told.ABSENT);
    }

    @Test
    void aLaterChangeOfTheSameUserKeepsWhatTheRoomWasFirstToldAndSurvivesSettlingTheEarlierOne() {
        changes.add("lobby", "dave", true, "run-1");
        List<UnannouncedChanges.Due> sent = changes.due("lobby", "run-2", true);
        changes.add("lobby", "dave", false, "run-2");

        changes.settled("lobby", sent);
        assertThat(due("lobby", "run-2", true)).as("the later change is still to reconcile, against the first state")
                .containsExactly("dave=" + Told.PRESENT);
        changes.settled("lobby", changes.due("lobby", "run-2", true));
        assertThat(changes.has("lobby")).isFalse();
        assertThat(changes.rooms()).isEmpty();
    }
}
