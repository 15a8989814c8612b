package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One client's callbacks on a shared pool: in submission order, never two at once, and a throwing one does not stop the rest. */
class CallbackLaneTest {

    @Test
    void runsTasksInOrderOneAtATimeOnASharedPool() {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CallbackLane lane = new CallbackLane(pool);
            List<Integer> order = new CopyOnWriteArrayList<>();
            AtomicInteger running = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            for (int i = 0; i < 2000; i++) {
                int task = i;
                lane.execute(() -> {
                    if (running.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    order.add(task);
                    running.decrementAndGet();
                });
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 2000);
            assertThat(overlaps).hasValue(0);
            assertThat(order).isSorted();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aThrowingTaskDoesNotStopTheLane() {
        ExecutorService pool = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task);
            thread.setUncaughtExceptionHandler((t, e) -> { });
            return thread;
        });
        try {
            CallbackLane lane = new CallbackLane(pool);
            List<String> ran = new CopyOnWriteArrayList<>();
            lane.execute(() -> {
                throw new IllegalStateException("a listener's bug");
            });
            lane.execute(() -> ran.add("after"));
            await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 1);
        } finally {
            pool.shutdownNow();
        }
    }
}
