package dev.roomcast.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.room.Draft;
import dev.roomcast.room.HistorySlice;
import dev.roomcast.room.Payload;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Broker} does, whatever keeps its rooms: offsets, positions, history and
 * recovery semantics, delivery only for subscribed rooms, in order. A subclass says how to make a
 * broker and how its history is lost; each test uses rooms of its own.
 */
@Timeout(60)
public abstract class BrokerContract {

    private static final AtomicInteger ROOMS = new AtomicInteger();
    private static final Duration DELIVERY = Duration.ofSeconds(5);

    /** Everything the current test's brokers delivered, in delivery order. */
    protected final ConcurrentLinkedQueue<RoomEvent> delivered = new ConcurrentLinkedQueue<>();
    private final List<Broker> brokers = new ArrayList<>();

    /** A new broker keeping {@code historySize} messages per room (and no age bound that a test could reach). */
    protected abstract Broker newBroker(int historySize);

    /**
     * Makes {@code broker} lose the room's history the way its store can (a restart of a memory store,
     * a Redis flush) and returns the broker to use from then on.
     */
    protected abstract Broker loseHistory(Broker broker, String room);

    /** A broker whose listener fills {@link #delivered}, closed after the test. */
    protected final Broker started(int historySize) {
        Broker broker = newBroker(historySize);
        broker.start(delivered::add);
        brokers.add(broker);
        return broker;
    }

    /** A room name no other test (or earlier run) uses. */
    protected static String uniqueRoom() {
        return "contract-" + ProcessHandle.current().pid() + "-" + ROOMS.incrementAndGet();
    }

    @AfterEach
    void closeBrokers() {
        brokers.forEach(Broker::close);
    }

    protected static Position publish(Broker broker, String room, String text) {
        return broker.publish(room, new Draft("ann", text, System.currentTimeMillis())).toCompletableFuture().join();
    }

    protected static List<Position> publish(Broker broker, String room, int count) {
        List<Position> positions = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            positions.add(publish(broker, room, "m" + i));
        }
        return positions;
    }

    protected static HistorySlice history(Broker broker, String room, Position since, int limit) {
        return broker.history(room, since, limit).toCompletableFuture().join();
    }

    protected static void subscribe(Broker broker, String room) {
        broker.subscribe(room).toCompletableFuture().join();
    }

    protected static List<Long> offsets(List<RoomEvent.Message> messages) {
        return messages.stream().map(m -> m.position().offset()).toList();
    }

    /** The messages of {@code room} delivered so far, in delivery order. */
    protected final List<RoomEvent.Message> deliveredMessages(String room) {
        return delivered.stream().filter(e -> e.room().equals(room) && e instanceof RoomEvent.Message)
                .map(e -> (RoomEvent.Message) e).toList();
    }

    /** Waits until {@code count} messages of the room were delivered, and returns them. */
    protected final List<RoomEvent.Message> awaitMessages(String room, int count) {
        await().atMost(DELIVERY).until(() -> deliveredMessages(room).size() >= count);
        return deliveredMessages(room);
    }

    @Test
    void offsetsGrowByOnePerMessageWithinOneEpoch() {
        Broker broker = started(100);
        String room = uniqueRoom();
        List<Position> positions = publish(broker, room, 5);
        assertThat(positions).extracting(Position::offset).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(positions).extracting(Position::epoch).containsOnly(positions.get(0).epoch());
        assertThat(publish(broker, uniqueRoom(), "other room").offset()).as("offsets are per room").isEqualTo(1);
    }

    @Test
    void deliveredMessagesCarryThePositionsPublishReturnedAndEverythingElseUnchanged() {
        Broker broker = started(100);
        String room = uniqueRoom();
        subscribe(broker, room);
        String text = "quotes \" backslash \\ newline \n emoji \uD83D\uDE00 and \u00e9";
        long timestamp = System.currentTimeMillis() - 1234;
        Position position = broker.publish(room, new Draft("zoë", text, timestamp)).toCompletableFuture().join();
        List<Position> more = publish(broker, room, 2);

        List<RoomEvent.Message> messages = awaitMessages(room, 3);
        assertThat(messages.get(0)).isEqualTo(new RoomEvent.Message(room, position, "zoë", text, timestamp));
        assertThat(messages.subList(1, 3)).extracting(RoomEvent.Message::position).containsExactlyElementsOf(more);
        assertThat(history(broker, room, null, 10).messages()).containsExactlyElementsOf(messages);
    }

    @Test
    void dataEventsAndTheSkippedSessionTravelUnchanged() {
        Broker broker = started(100);
        String room = uniqueRoom();
        subscribe(broker, room);
        Payload payload = new Payload("board.move", null, "{\"n\":123456789012345678901234567890,\"s\":\"\u00e9\"}");
        long timestamp = System.currentTimeMillis();
        Draft draft = new Draft("ann", payload, timestamp, true, "node-7", null);
        Position position = broker.publish(room, draft).toCompletableFuture().join();

        RoomEvent.Message expected = new RoomEvent.Message(room, position, "ann", payload, timestamp, "node-7");
        assertThat(awaitMessages(room, 1)).containsExactly(expected);
        assertThat(history(broker, room, null, 10).messages()).containsExactly(expected);
    }

    @Test
    void anEphemeralMessageIsDeliveredWithoutAPositionAndNeverKept() {
        Broker broker = started(100);
        String room = uniqueRoom();
        subscribe(broker, room);
        Position before = publish(broker, room, "kept 1");
        Draft typing = new Draft("ann", new Payload("typing", null, "true"), System.currentTimeMillis(), false, null, null);
        assertThat(broker.publish(room, typing).toCompletableFuture().join()).isNull();
        Position after = publish(broker, room, "kept 2");

        assertThat(after.offset()).isEqualTo(before.offset() + 1);
        List<RoomEvent.Message> live = awaitMessages(room, 3);
        assertThat(live).extracting(RoomEvent.Message::position).containsExactly(before, null, after);
        assertThat(live.get(1).payload().event()).isEqualTo("typing");
        HistorySlice recovered = history(broker, room, new Position(before.epoch(), before.offset() - 1), 10);
        assertThat(recovered.complete()).isTrue();
        assertThat(recovered.messages()).extracting(RoomEvent.Message::text).containsExactly("kept 1", "kept 2");
    }

    @Test
    void aRepeatedIdempotencyKeyIsAnsweredWithTheFirstPositionAndNotDelivered() {
        Broker broker = started(100);
        String room = uniqueRoom();
        String otherRoom = uniqueRoom();
        subscribe(broker, room);
        List<Position> answers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            answers.add(broker.publish(room, new Draft("ann", Payload.text("once"), System.currentTimeMillis(), true, null,
                    "key-1")).toCompletableFuture().join());
        }
        assertThat(answers).containsOnly(answers.get(0));
        Position elsewhere = broker.publish(otherRoom, new Draft("ann", Payload.text("there"), System.currentTimeMillis(), true,
                        null, "key-1"))
                .toCompletableFuture().join();
        assertThat(elsewhere.offset()).isEqualTo(1);
        Draft ephemeral = new Draft("ann", Payload.text("typing"), System.currentTimeMillis(), false, null, "key-2");
        assertThat(broker.publish(room, ephemeral).toCompletableFuture().join()).isNull();
        assertThat(broker.publish(room, ephemeral).toCompletableFuture().join()).isNull();
        publish(broker, room, "after");

        assertThat(awaitMessages(room, 3)).extracting(RoomEvent.Message::text).containsExactly("once", "typing", "after");
        assertThat(history(broker, room, null, 10).messages()).extracting(RoomEvent.Message::text).containsExactly("once", "after");
    }

    @Test
    void aNewRoomHasAnEmptyCompleteHistoryAtOffsetZero() {
        Broker broker = started(100);
        String room = uniqueRoom();
        HistorySlice empty = history(broker, room, null, 10);
        assertThat(empty.messages()).isEmpty();
        assertThat(empty.complete()).isTrue();
        assertThat(empty.current().offset()).isZero();
        assertThat(publish(broker, room, "first")).as("the first message continues the epoch the read started")
                .isEqualTo(new Position(empty.current().epoch(), 1));
    }

    @Test
    void historyWithoutSinceGivesTheNewestLimitMessagesOldestFirst() {
        Broker broker = started(100);
        String room = uniqueRoom();
        Position last = publish(broker, room, 5).get(4);

        HistorySlice newest = history(broker, room, null, 3);
        assertThat(offsets(newest.messages())).containsExactly(3L, 4L, 5L);
        assertThat(newest.messages()).extracting(RoomEvent.Message::text).containsExactly("m3", "m4", "m5");
        assertThat(newest.current()).isEqualTo(last);
        assertThat(newest.complete()).isTrue();
        assertThat(offsets(history(broker, room, null, 50).messages())).containsExactly(1L, 2L, 3L, 4L, 5L);

        HistorySlice positionOnly = history(broker, room, null, 0);
        assertThat(positionOnly.messages()).isEmpty();
        assertThat(positionOnly.current()).isEqualTo(last);
    }

    @Test
    void historySinceGivesExactlyTheMessagesAfterItAndSaysWhenTheLimitCutThemShort() {
        Broker broker = started(100);
        String room = uniqueRoom();
        List<Position> positions = publish(broker, room, 5);

        HistorySlice afterTwo = history(broker, room, positions.get(1), 10);
        assertThat(offsets(afterTwo.messages())).containsExactly(3L, 4L, 5L);
        assertThat(afterTwo.complete()).isTrue();
        assertThat(afterTwo.current()).isEqualTo(positions.get(4));

        HistorySlice upToDate = history(broker, room, positions.get(4), 10);
        assertThat(upToDate.messages()).isEmpty();
        assertThat(upToDate.complete()).isTrue();

        HistorySlice cut = history(broker, room, positions.get(1), 2);
        assertThat(offsets(cut.messages())).as("the oldest ones come first").containsExactly(3L, 4L);
        assertThat(cut.complete()).isFalse();

        HistorySlice exactlyTheLimit = history(broker, room, positions.get(1), 3);
        assertThat(offsets(exactlyTheLimit.messages())).containsExactly(3L, 4L, 5L);
        assertThat(exactlyTheLimit.complete()).isTrue();

        HistorySlice positionOnly = history(broker, room, positions.get(1), 0);
        assertThat(positionOnly.messages()).isEmpty();
        assertThat(positionOnly.complete()).as("limit 0 with messages after `since`").isFalse();
        assertThat(history(broker, room, positions.get(4), 0).complete()).isTrue();
    }

    @Test
    void aPositionFromAnotherEpochOrBeyondTheCurrentOneCannotRecover() {
        Broker broker = started(100);
        String room = uniqueRoom();
        Position last = publish(broker, room, 3).get(2);

        HistorySlice otherEpoch = history(broker, room, new Position(last.epoch() + "x", 1), 10);
        assertThat(otherEpoch.complete()).isFalse();
        assertThat(otherEpoch.messages()).isEmpty();
        assertThat(otherEpoch.current()).isEqualTo(last);

        HistorySlice future = history(broker, room, new Position(last.epoch(), 4), 10);
        assertThat(future.complete()).isFalse();
        assertThat(future.messages()).isEmpty();
    }

    @Test
    void trimmedHistoryStillAnswersWhatItKeepsButIsIncomplete() {
        Broker broker = started(3);
        String room = uniqueRoom();
        List<Position> positions = publish(broker, room, 8);
        assertThat(positions.get(7).offset()).as("offsets keep growing past the bound").isEqualTo(8);

        HistorySlice tooOld = history(broker, room, positions.get(0), 100);
        assertThat(tooOld.complete()).isFalse();
        assertThat(offsets(tooOld.messages())).containsExactly(6L, 7L, 8L);

        HistorySlice justKept = history(broker, room, positions.get(4), 100);
        assertThat(justKept.complete()).isTrue();
        assertThat(offsets(justKept.messages())).containsExactly(6L, 7L, 8L);

        assertThat(offsets(history(broker, room, null, 100).messages())).as("never more than the bound")
                .containsExactly(6L, 7L, 8L);
    }

    @Test
    void losingTheHistoryStartsANewEpochAndOldPositionsNoLongerRecover() {
        Broker broker = started(100);
        String room = uniqueRoom();
        Position before = publish(broker, room, 4).get(3);

        Broker after = loseHistory(broker, room);
        HistorySlice slice = history(after, room, before, 100);
        assertThat(slice.complete()).isFalse();
        assertThat(slice.messages()).isEmpty();
        assertThat(slice.current().epoch()).isNotEqualTo(before.epoch());
        assertThat(publish(after, room, "again")).isEqualTo(new Position(slice.current().epoch(), 1));
        assertThat(history(after, room, new Position(before.epoch(), 1), 100).complete()).isFalse();
    }

    @Test
    void onlyEventsOfSubscribedRoomsAreDeliveredAndUnsubscribingStopsThem() {
        Broker broker = started(100);
        String watched = uniqueRoom();
        String ignored = uniqueRoom();
        subscribe(broker, watched);

        publish(broker, ignored, "not for us");
        broker.broadcast(new RoomEvent.SessionLeft(ignored, "bob"));
        publish(broker, watched, "marker");
        awaitMessages(watched, 1);
        assertThat(delivered).as("the marker came after the unsubscribed room's events").extracting(RoomEvent::room)
                .containsOnly(watched);

        String dropped = uniqueRoom();
        subscribe(broker, dropped);
        publish(broker, dropped, "while subscribed");
        awaitMessages(dropped, 1);
        broker.unsubscribe(dropped).toCompletableFuture().join();
        publish(broker, dropped, "after unsubscribing");
        publish(broker, watched, "second marker");
        awaitMessages(watched, 2);
        assertThat(deliveredMessages(dropped)).extracting(RoomEvent.Message::text).containsExactly("while subscribed");
    }

    @Test
    void transientEventsAreDeliveredButNotKept() {
        Broker broker = started(100);
        String room = uniqueRoom();
        subscribe(broker, room);
        RoomEvent left = new RoomEvent.SessionLeft(room, "bob");
        RoomEvent joined = new RoomEvent.PresenceChange(room, "carol", true);
        RoomEvent gone = new RoomEvent.PresenceChange(room, "carol", false);
        broker.broadcast(left);
        broker.broadcast(joined);
        broker.broadcast(gone);

        await().atMost(DELIVERY).until(() -> delivered.size() >= 3);
        assertThat(delivered).containsExactly(left, joined, gone);
        assertThat(history(broker, room, null, 10).current().offset()).isZero();
    }

    @Test
    void eventsOfARoomArriveInPublishOrderEvenFromConcurrentPublishers() {
        Broker broker = started(1000);
        String room = uniqueRoom();
        subscribe(broker, room);
        int publishers = 4;
        int each = 50;
        CompletableFuture<?>[] running = new CompletableFuture<?>[publishers];
        for (int p = 0; p < publishers; p++) {
            int publisher = p;
            running[p] = CompletableFuture.runAsync(() -> {
                List<CompletableFuture<Position>> sent = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    sent.add(broker.publish(room, new Draft("p" + publisher, "m" + i, System.currentTimeMillis()))
                            .toCompletableFuture());
                }
                sent.forEach(CompletableFuture::join);
            });
        }
        CompletableFuture.allOf(running).join();

        List<RoomEvent.Message> messages = awaitMessages(room, publishers * each);
        assertThat(offsets(messages)).containsExactlyElementsOf(LongStream.rangeClosed(1, publishers * each).boxed().toList());
        for (int p = 0; p < publishers; p++) {
            String from = "p" + p;
            assertThat(messages.stream().filter(m -> m.from().equals(from)).map(RoomEvent.Message::text).toList())
                    .as("one publisher's messages keep their order").containsExactlyElementsOf(
                            LongStream.range(0, each).mapToObj(i -> "m" + i).toList());
        }
    }

    @Test
    void publishesAndBroadcastsFromOneThreadArriveInTheOrderTheyWereMade() {
        Broker broker = started(100);
        String room = uniqueRoom();
        subscribe(broker, room);
        RoomEvent.SessionLeft left = new RoomEvent.SessionLeft(room, "bob");
        long now = System.currentTimeMillis();
        broker.publish(room, new Draft("ann", "before", now));
        broker.broadcast(left);
        broker.publish(room, new Draft("ann", "after", now)).toCompletableFuture().join();

        await().atMost(DELIVERY).until(() -> delivered.size() >= 3);
        assertThat(delivered).extracting(e -> e instanceof RoomEvent.Message m ? m.text() : e)
                .containsExactly("before", left, "after");
    }
}
