package dev.roomcast.client;

import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every {@link RoomcastClient} of a JVM shares unless its builder names others: one
 * HttpClient (its selector thread plus two I/O threads that read frames), one timer thread
 * (reconnect delays, request timeouts, pings, token refreshes) and two callback threads. All
 * daemon threads, made on first use, never stopped: their number does not grow with clients or rooms.
 *
 * <p>Threading: the holder idiom makes them once, thread-safely.
 */
final class ClientThreads {

    static final HttpClient HTTP = HttpClient.newBuilder()
            .executor(Executors.newFixedThreadPool(2, daemon("roomcast-client-io")))
            .build();
    static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(daemon("roomcast-client-timer"));
    static final ExecutorService CALLBACKS = Executors.newFixedThreadPool(2, daemon("roomcast-client-callback"));

    private ClientThreads() {
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
