package dev.roomcast.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** A room's feed on one node: one sequence per room, gaps read from history or announced, held events bounded. */
class RoomFeedTest {

    private final RoomFeed feed = new RoomFeed("lobby");
    private final List<RoomEvent> delivered = new ArrayList<>();

    private static RoomEvent.Message message(String epoch, long offset) {
        return new RoomEvent.Message("lobby", new Position(epoch, offset), "ann", "m" + offset, 0);
    }

    private static List<RoomEvent.Message> messages(String epoch, long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(offset -> message(epoch, offset)).toList();
    }

    private List<String> seen() {
        return delivered.stream().map(e -> e instanceof RoomEvent.Message m ? m.position().epoch() + m.position().offset()
                : e instanceof RoomEvent.Gap g ? "gap@" + g.continuesAfter().epoch() + g.continuesAfter().offset()
                : e.toString()).toList();
    }

    @Test
    void aLiveMessageThatSkipsAheadIsHeldUntilTheGapIsReadFromHistory() {
        assertThat(feed.offer(message("e", 1), delivered::add)).isFalse();
        assertThat(feed.offer(message("e", 3), delivered::add)).as("starts a catch-up").isTrue();
        assertThat(feed.offer(message("e", 4), delivered::add)).isFalse();
        assertThat(feed.startReading()).isEqualTo(new Position("e", 1));
        assertThat(feed.startReading()).as("one read at a time").isNull();

        assertThat(feed.catchUp(null, messages("e", 2, 3), delivered::add)).isFalse();
        assertThat(seen()).containsExactly("e1", "e2", "e3", "e4");
    }

    @Test
    void aReadInFlightWhenTheSubscriptionIsMadeAgainIsFollowedByAnotherOne() {
        feed.offer(message("e", 1), delivered::add);
        feed.hold();
        assertThat(feed.startReading()).isEqualTo(new Position("e", 1));
        // The connection dropped and came back while that read was in flight: it may have read the history before
        // the new subscription took effect, so e3, published in between, reached this node neither way, and no
        // later message would show it is missing.
        feed.hold();
        feed.resubscribed();
        assertThat(feed.catchUp(null, messages("e", 2, 2), delivered::add)).as("read again").isTrue();
        assertThat(feed.startReading()).isEqualTo(new Position("e", 2));
        assertThat(feed.catchUp(null, messages("e", 3, 3), delivered::add)).isFalse();
        assertThat(seen()).containsExactly("e1", "e2", "e3");
        feed.offer(message("e", 4), delivered::add);
        assertThat(seen()).as("live again").endsWith("e4");
    }

    @Test
    void aNewEpochIsDeliveredFromItsStartBehindAGap() {
        feed.offer(message("old", 7), delivered::add);
        feed.hold();
        feed.offer(message("new", 3), delivered::add);
        feed.startReading();
        assertThat(feed.catchUp(new Position("new", 0), messages("new", 1, 2), delivered::add)).isFalse();
        assertThat(seen()).containsExactly("old7", "gap@new0", "new1", "new2", "new3");
    }

    @Test
    void heldEventsPastTheBoundAreDroppedAndReadFromHistoryAgain() {
        feed.offer(message("e", 1), delivered::add);
        feed.hold();
        int offered = RoomFeed.MAX_HELD_EVENTS + 5;
        for (int i = 0; i < offered; i++) {
            feed.offer(message("e", 2 + i), delivered::add);
        }
        feed.startReading();
        assertThat(feed.catchUp(null, messages("e", 2, 3), delivered::add)).as("read again").isTrue();
        assertThat(feed.startReading()).isEqualTo(new Position("e", 3));
        long last = 1L + offered;
        assertThat(feed.catchUp(null, messages("e", 4, last), delivered::add)).isFalse();
        assertThat(delivered).hasSize(offered + 1);
        assertThat(seen().get(seen().size() - 1)).isEqualTo("e" + last);
        feed.offer(message("e", last + 1), delivered::add);
        assertThat(seen().get(seen().size() - 1)).as("live again").isEqualTo("e" + (last + 1));
    }

    @Test
    void historyThatNoLongerReachesBackIsAnnouncedAndHeldEventsAfterItFollow() {
        feed.offer(message("e", 1), delivered::add);
        feed.hold();
        feed.offer(message("e", 500), delivered::add);
        feed.startReading();
        assertThat(feed.catchUp(new Position("e", 499), List.of(), delivered::add)).isFalse();
        assertThat(seen()).containsExactly("e1", "gap@e499", "e500");
    }

    @Test
    void aLiveMessageOfAnotherEpochStartsACatchUpSoTheGapIsAnnouncedFirst() {
        feed.offer(message("old", 7), delivered::add);
        assertThat(feed.offer(message("new", 1), delivered::add)).as("starts a catch-up").isTrue();
        assertThat(feed.startReading()).isEqualTo(new Position("old", 7));
        assertThat(feed.catchUp(new Position("new", 0), List.of(message("new", 1)), delivered::add)).isFalse();
        assertThat(seen()).containsExactly("old7", "gap@new0", "new1");
    }

    @Test
    void messagesOfTheEpochAGapLeftAreStaleAndDropped() {
        feed.offer(message("old", 7), delivered::add);
        feed.hold();
        // Published on the new master before the room moved to a new epoch (#18): it reuses an offset already delivered.
        feed.offer(message("old", 6), delivered::add);
        feed.startReading();
        assertThat(feed.catchUp(new Position("new", 0), List.of(), delivered::add)).as("no second read").isFalse();
        feed.offer(message("old", 8), delivered::add);
        feed.offer(message("new", 1), delivered::add);
        assertThat(seen()).containsExactly("old7", "gap@new0", "new1");
    }

    @Test
    void anotherMessageAtTheLastOffsetDeliveredIsReadFromANewEpochAndACopyIsDropped() {
        feed.offer(message("e", 1), delivered::add);
        assertThat(feed.offer(message("e", 1), delivered::add)).as("a copy").isFalse();
        assertThat(feed.lastDelivered()).isEqualTo(new Position("e", 1));

        RoomEvent.Message reused = new RoomEvent.Message("lobby", new Position("e", 1), "bob", "other", 0);
        assertThat(feed.offer(reused, delivered::add)).as("starts a catch-up").isTrue();
        assertThat(feed.lastDelivered()).as("the scripts move the room to a new epoch")
                .isEqualTo(new Position("e", Long.MAX_VALUE));
        feed.offer(message("e", 2), delivered::add);
        feed.startReading();
        assertThat(feed.catchUp(new Position("f", 0), messages("f", 1, 1), delivered::add)).isFalse();
        feed.offer(message("e", 3), delivered::add);
        feed.offer(message("f", 2), delivered::add);
        assertThat(seen()).containsExactly("e1", "gap@f0", "f1", "f2");
        assertThat(feed.lastDelivered()).isEqualTo(new Position("f", 2));
    }

    @Test
    void anotherMessageAtAnEarlierOffsetDeliveredIsFoundAmongTheNewestAndACopyIsDropped() {
        messages("e", 1, RoomFeed.RECENT + 2).forEach(message -> feed.offer(message, delivered::add));
        assertThat(feed.offer(message("e", 3), delivered::add)).as("a copy").isFalse();
        assertThat(feed.offer(new RoomEvent.Message("lobby", new Position("e", 2), "bob", "older than the newest", 0),
                delivered::add)).as("too old to tell").isFalse();
        assertThat(feed.offer(new RoomEvent.Message("lobby", new Position("e", 3), "bob", "other", 0), delivered::add))
                .as("starts a catch-up").isTrue();
        assertThat(feed.lastDelivered()).isEqualTo(new Position("e", Long.MAX_VALUE));
        assertThat(seen()).hasSize(RoomFeed.RECENT + 2);
    }
}
