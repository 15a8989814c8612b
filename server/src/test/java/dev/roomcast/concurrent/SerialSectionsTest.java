package dev.roomcast.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The guarantees of {@link SerialSections}: one action at a time per key, reactions in the order of the changes, no re-entry. */
@Timeout(30)
class SerialSectionsTest {

    private final SerialSections sections = new SerialSections();
    private final ExecutorService threads = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void actionsOfOneKeyNeverOverlap() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(threads.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    sections.run("room", () -> {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        inside.decrementAndGet();
                    });
                }
            }));
        }
        for (Future<?> worker : workers) {
            worker.get(20, TimeUnit.SECONDS);
        }
        assertThat(overlaps).hasValue(0);
    }

    /**
     * The property the hub and the brokers rely on: a counter changed in the key's section and the
     * reaction to each new value, recorded in the same step, come out in the order of the values,
     * however many threads change it (as the sessions of one user do on several loops).
     */
    @Test
    void reactionsToOneKeysChangesHappenInTheOrderOfTheChanges() throws Exception {
        int[] count = new int[1];
        List<Integer> reactions = new ArrayList<>();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(threads.submit(() -> {
                for (int i = 0; i < 5_000; i++) {
                    sections.run("ann", () -> reactions.add(++count[0]));
                }
            }));
        }
        for (Future<?> worker : workers) {
            worker.get(20, TimeUnit.SECONDS);
        }
        assertThat(reactions).hasSize(20_000).isSorted();
        assertThat(reactions.get(reactions.size() - 1)).isEqualTo(20_000);
    }

    @Test
    void anActionThatEntersASectionAgainIsRefusedWhereItDoesSo() {
        assertThatThrownBy(() -> sections.run("room", () -> sections.run("room", () -> { })))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("key room");
        assertThatThrownBy(() -> sections.run("room", () -> sections.call("other room", () -> 1)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(sections.call("room", () -> "usable after a refusal")).isEqualTo("usable after a refusal");
    }

    @Test
    void differentKeysDoNotWaitForEachOtherUnlessTheyShareAStripe() throws Exception {
        String held = "held";
        String free = java.util.stream.IntStream.range(0, 1_000).mapToObj(i -> "room-" + i)
                .filter(key -> SerialSections.stripeOf(key) != SerialSections.stripeOf(held)).findFirst().orElseThrow();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = threads.submit(() -> sections.run(held, () -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(threads.submit(() -> sections.call(free, () -> "ran")).get(5, TimeUnit.SECONDS)).isEqualTo("ran");
        Future<String> sameKey = threads.submit(() -> sections.call(held, () -> "after"));
        assertThat(sameKey.isDone()).as("waits while the key's section is held").isFalse();
        release.countDown();
        holder.get(5, TimeUnit.SECONDS);
        assertThat(sameKey.get(5, TimeUnit.SECONDS)).isEqualTo("after");
    }
}
