package dev.roomcast.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A JSON client of the chaos run that behaves as roomcast.js does: it reconnects to a live node after
 * any close, rejoins its rooms with {@code since} set to the last position it saw, and records per room
 * what it was given: each message's position, and each notice that it may have missed some
 * ({@code recovered:false}, after a join or unprompted). A publisher also records which of its
 * publishes were acknowledged.
 *
 * <p>Threading: thread-safe; frames arrive on the HTTP client's threads and are recorded under this
 * object's monitor; reconnects run on the shared scheduler.
 */
final class ChaosClient {

    /** One thing a member was given in a room: a message, or a notice that the room goes on after a position. */
    record Item(boolean told, String epoch, long offset) {
    }

    /** An acknowledged publish, with when its {@code ok} arrived ({@link System#nanoTime}). */
    record Acked(String room, String epoch, long offset, long nanos) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final List<String> rooms;
    private final Supplier<URI> liveNode;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final Map<String, List<Item>> timelines = new HashMap<>();
    private final Map<String, Item> positions = new HashMap<>();
    private final List<Acked> acked = new ArrayList<>();
    private final Map<String, String> pendingPublishes = new ConcurrentHashMap<>();
    private WebSocket socket;
    /** The last send on the current connection; the next one waits for it. */
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
    /** The rooms joined on the current connection. */
    private final java.util.Set<String> joinedRooms = new java.util.HashSet<>();
    private volatile boolean stopped;
    private int reconnects;
    private long nextRef;

    ChaosClient(String name, List<String> rooms, Supplier<URI> liveNode, HttpClient http, ScheduledExecutorService scheduler) {
        this.name = name;
        this.rooms = rooms;
        this.liveNode = liveNode;
        this.http = http;
        this.scheduler = scheduler;
        rooms.forEach(room -> timelines.put(room, new ArrayList<>()));
    }

    void start() {
        connect();
    }

    /** Publishes if connected and joined; an answer of ok records the message as acknowledged. */
    synchronized void publish(String room) {
        if (socket == null || !joinedRooms.contains(room)) {
            return;
        }
        String ref = Long.toString(nextRef++);
        pendingPublishes.put(ref, room);
        send(socket, json("type", "publish", "ref", ref, "room", room, "text", name + "-" + ref));
    }

    synchronized boolean joined() {
        return socket != null && joinedRooms.size() == rooms.size();
    }

    synchronized List<Item> timeline(String room) {
        return List.copyOf(timelines.get(room));
    }

    synchronized List<Acked> acked() {
        return List.copyOf(acked);
    }

    synchronized int reconnects() {
        return reconnects;
    }

    /** Whether a message of the room with this text was received (the end marker). */
    synchronized boolean hasSeen(String room, String epoch, long offset) {
        return timelines.get(room).stream().anyMatch(item -> !item.told() && item.epoch().equals(epoch) && item.offset() == offset);
    }

    @Override
    public String toString() {
        return name;
    }

    void stop() {
        WebSocket current;
        synchronized (this) {
            stopped = true;
            current = socket;
        }
        if (current != null) {
            current.abort();
        }
    }

    private void connect() {
        if (stopped) {
            return;
        }
        URI uri = liveNode.get().resolve("/v1/ws?name=" + name);
        http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, new Listener())
                .whenComplete((ws, failure) -> {
                    if (failure != null) {
                        reconnectLater();
                    }
                });
    }

    private void reconnectLater() {
        if (stopped) {
            return;
        }
        long delay = ThreadLocalRandom.current().nextLong(100, 400);
        scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private synchronized void onFrame(WebSocket ws, JsonNode frame) {
        if (ws != socket) {
            return;
        }
        String type = frame.path("type").asText();
        String room = frame.path("room").asText();
        switch (type) {
            case "welcome" -> rooms.forEach(r -> join(ws, r));
            case "message" -> record(room, new Item(false, frame.get("epoch").asText(), frame.get("offset").asLong()));
            case "recovered" -> {
                if (!frame.path("recovered").asBoolean()) {
                    record(room, new Item(true, frame.get("epoch").asText(), frame.get("offset").asLong()));
                }
            }
            case "ok" -> onOk(frame);
            case "error" -> onError(ws, frame.path("ref").asText());
            default -> {
                // joined, left, presence: not checked here
            }
        }
    }

    /** Joins with {@code since} set to the last position seen in the room, if any. */
    private void join(WebSocket ws, String room) {
        ObjectNode join = json("type", "join", "ref", "join-" + room, "room", room);
        Item at = positions.get(room);
        if (at != null) {
            join.set("since", json("epoch", at.epoch(), "offset", at.offset()));
        }
        send(ws, join);
    }

    /** A failed join (the broker was unreachable) is tried again, as a client that wants the room must. */
    private void onError(WebSocket ws, String ref) {
        if (pendingPublishes.remove(ref) != null || !ref.startsWith("join-")) {
            return;
        }
        String room = ref.substring("join-".length());
        scheduler.schedule(() -> {
            synchronized (this) {
                if (socket == ws) {
                    join(ws, room);
                }
            }
        }, 200, TimeUnit.MILLISECONDS);
    }

    private void onOk(JsonNode frame) {
        String ref = frame.path("ref").asText();
        if (ref.startsWith("join-")) {
            String room = ref.substring("join-".length());
            if (!positions.containsKey(room)) {
                // The first join: the member's view starts here.
                record(room, new Item(true, frame.get("epoch").asText(), frame.get("offset").asLong()));
            }
            joinedRooms.add(room);
            return;
        }
        String room = pendingPublishes.remove(ref);
        if (room != null) {
            acked.add(new Acked(room, frame.get("epoch").asText(), frame.get("offset").asLong(), System.nanoTime()));
        }
    }

    private void record(String room, Item item) {
        timelines.get(room).add(item);
        positions.put(room, item);
    }

    private synchronized void onClosed(WebSocket ws) {
        if (ws != socket) {
            return;
        }
        socket = null;
        joinedRooms.clear();
        pendingPublishes.clear();
        reconnects++;
        reconnectLater();
    }

    /**
     * Sends after the previous send has completed: the JDK WebSocket fails a send while another is
     * outstanding, which would drop joins and publishes silently. Under the monitor.
     */
    private void send(WebSocket ws, ObjectNode frame) {
        String text = frame.toString();
        sending = sending.handle((done, failure) -> null).thenCompose(ignored -> ws.sendText(text, true))
                .exceptionally(failure -> null);
    }

    private static ObjectNode json(Object... keysAndValues) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            node.set((String) keysAndValues[i], JSON.valueToTree(keysAndValues[i + 1]));
        }
        return node;
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket ws) {
            synchronized (ChaosClient.this) {
                if (stopped) {
                    ws.abort();
                    return;
                }
                socket = ws;
                sending = CompletableFuture.completedFuture(null);
            }
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    onFrame(ws, JSON.readTree(partial.toString()));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("the server sent invalid JSON: " + partial, e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            onClosed(ws);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            onClosed(ws);
        }
    }
}
