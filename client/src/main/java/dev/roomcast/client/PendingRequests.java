package dev.roomcast.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One client's requests that await an answer, by {@code ref}, in the order they were made: those
 * already sent, and those held back until the connection is welcomed.
 *
 * <p>Threading: not thread-safe; {@link RoomcastClient} calls it holding its own lock. Futures are
 * completed by the caller after removal, outside that lock.
 */
final class PendingRequests {

    /**
     * A request, whether it went out on the current connection, and its timeout.
     *
     * <p>Threading: guarded by the client's lock, like the registry.
     */
    static final class Pending {
        final ObjectNode body;
        final CompletableFuture<JsonNode> answer;
        final ScheduledFuture<?> timeout;
        boolean sent;

        Pending(ObjectNode body, CompletableFuture<JsonNode> answer, ScheduledFuture<?> timeout) {
            this.body = body;
            this.answer = answer;
            this.timeout = timeout;
        }
    }

    private final Map<String, Pending> byRef = new LinkedHashMap<>();
    private long nextRef = 1;

    String nextRef() {
        return Long.toString(nextRef++);
    }

    void add(String ref, Pending pending) {
        byRef.put(ref, pending);
    }

    /** The request answered by {@code ref}, no longer pending; null when none waits for it. */
    Pending remove(String ref) {
        Pending pending = byRef.remove(ref);
        if (pending != null) {
            pending.timeout.cancel(false);
        }
        return pending;
    }

    /** The requests not yet sent, in the order they were made. */
    List<Pending> unsent() {
        return byRef.values().stream().filter(pending -> !pending.sent).toList();
    }

    /** Removes the requests sent on the connection that was just lost: their answers will never come. */
    List<Pending> removeSent() {
        return removeIf(true);
    }

    /** Removes every request: the client closed for good. */
    List<Pending> removeAll() {
        return removeIf(false);
    }

    private List<Pending> removeIf(boolean onlySent) {
        List<Pending> removed = new ArrayList<>();
        for (Iterator<Pending> it = byRef.values().iterator(); it.hasNext(); ) {
            Pending pending = it.next();
            if (pending.sent || !onlySent) {
                pending.timeout.cancel(false);
                removed.add(pending);
                it.remove();
            }
        }
        return removed;
    }
}
