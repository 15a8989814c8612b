package dev.roomcast.broker;

import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.RoomEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/**
 * What the presence and direct-message contracts share: nodes (whole {@link Backend}s, since presence
 * reaches members through the broker) whose listeners record what they receive, closed after each test,
 * and names no other test uses.
 */
public abstract class BackendContract {

    protected static final Duration DELIVERY = Duration.ofSeconds(5);
    private static final AtomicInteger NAMES = new AtomicInteger();

    /** Every room event the current test's nodes delivered, in delivery order. */
    protected final ConcurrentLinkedQueue<RoomEvent> delivered = new ConcurrentLinkedQueue<>();
    /** Every direct message the current test's nodes received, with the node that received it. */
    protected final ConcurrentLinkedQueue<DirectDelivery> directs = new ConcurrentLinkedQueue<>();
    private final List<Backend> backends = new ArrayList<>();

    public record DirectDelivery(Backend receiver, DirectMessage message) {
    }

    /** A new node's backend, not yet started. */
    protected abstract Backend newBackend();

    /** A node whose listeners fill {@link #delivered} and {@link #directs}, closed after the test. */
    protected final Backend started() {
        Backend backend = newBackend();
        backend.broker().start(delivered::add);
        backend.directs().start(message -> directs.add(new DirectDelivery(backend, message)));
        backends.add(backend);
        return backend;
    }

    /** A room or user name no other test (or earlier run) uses. */
    protected static String uniqueName() {
        return "contract-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    }

    @AfterEach
    void closeBackends() {
        backends.forEach(Backend::close);
    }

    protected final List<RoomEvent> presenceChanges() {
        return delivered.stream().filter(e -> e instanceof RoomEvent.PresenceChange).toList();
    }

    protected static Map<String, Integer> presence(Backend node, String room) {
        return node.presence().presence(room).toCompletableFuture().join();
    }
}
