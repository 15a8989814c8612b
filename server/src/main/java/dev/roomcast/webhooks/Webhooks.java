package dev.roomcast.webhooks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.roomcast.broker.LifecycleLedger;
import dev.roomcast.config.WebhookSettings;
import dev.roomcast.hub.Lifecycle;
import dev.roomcast.room.Draft;
import dev.roomcast.room.Payload;
import dev.roomcast.room.Position;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle webhooks of one node: turns the hub's room and user changes into {@code room.occupied},
 * {@code room.vacated}, {@code user.online} and {@code user.offline} events (and, for the rooms whose namespace asks,
 * each message published from this node into {@code message.published}), holds a departure back for
 * {@code --presence-grace} (a return within it cancels it and its arrival is not sent again), asks the
 * {@link LifecycleLedger} shared by the nodes whether an arrival or a departure is news cluster-wide (a user online on
 * another node is not), sends what crashed nodes left behind when the ledger hands it to this node, and POSTs
 * the events to {@code --webhook-url} one at a time, in the order they happened, each signed with HMAC-SHA256,
 * retried with exponential backoff and jitter until a 2xx or {@code --webhook-max-age}. The queue is bounded
 * ({@code --webhook-queue-size}) and in memory; what does not fit is dropped, counted and logged once per interval.
 * Sending one at a time keeps every room's and user's events of this node in order, retries included.
 *
 * <p>Threading: the hub's callbacks hand each change to the one {@code roomcast-webhooks} thread, which owns
 * all state here (pending departures, the queue, the event being sent); the ledger's answers and HTTP answers
 * hop back to it.
 */
public final class Webhooks implements Lifecycle, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(30);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DROP_LOG_INTERVAL = Duration.ofSeconds(10);
    private static final JsonFactory JSON = new JsonFactory();

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread webhooks = new Thread(task, "roomcast-webhooks");
        webhooks.setDaemon(true);
        return webhooks;
    });
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(SEND_TIMEOUT).build();
    private final URI url;
    private final Mac signer;
    private final Duration grace;
    private final Duration maxAge;
    private final int queueSize;
    private final WebhookObserver observer;
    private final LifecycleLedger ledger;
    private final Predicate<String> sendsMessages;

    /** Departures held back for the grace, by "room:NAME" or "user:NAME". */
    private final Map<String, ScheduledFuture<?>> departures = new HashMap<>();
    private final ArrayDeque<WebhookEvent> queue = new ArrayDeque<>();
    /** The event being sent or waiting to be retried, or null. */
    private WebhookEvent sending;
    private int attempts;
    private long droppedUnlogged;
    private long lastDropLogNanos = System.nanoTime() - DROP_LOG_INTERVAL.toNanos();

    /**
     * @param ledger which rooms and users other nodes hold (a single node's answers yes); tells this node what
     *                  crashed nodes left from now on
     * @param sendsMessages whether a room's messages are sent as {@code message.published} (its namespace's
     *                  {@code webhook-messages}); any thread, cheap
     */
    public Webhooks(WebhookSettings settings, Duration grace, LifecycleLedger ledger, Predicate<String> sendsMessages,
                    WebhookObserver observer) {
        this.url = URI.create(settings.url());
        this.sendsMessages = sendsMessages;
        this.ledger = ledger;
        this.grace = grace;
        this.maxAge = settings.maxAge();
        this.queueSize = settings.queueSize();
        this.observer = observer;
        try {
            this.signer = Mac.getInstance("HmacSHA256");
            signer.init(new SecretKeySpec(settings.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
        ledger.onOrphans(this::orphaned);
    }

    @Override
    public void roomOccupied(String room) {
        long at = System.currentTimeMillis();
        thread.execute(() -> arrived(WebhookEvent.Type.ROOM_OCCUPIED, room, at));
    }

    @Override
    public void roomVacated(String room) {
        long at = System.currentTimeMillis();
        thread.execute(() -> departed(WebhookEvent.Type.ROOM_VACATED, room, at));
    }

    @Override
    public void userOnline(String user) {
        long at = System.currentTimeMillis();
        thread.execute(() -> arrived(WebhookEvent.Type.USER_ONLINE, user, at));
    }

    @Override
    public void userOffline(String user) {
        long at = System.currentTimeMillis();
        thread.execute(() -> departed(WebhookEvent.Type.USER_OFFLINE, user, at));
    }

    /**
     * On the webhook thread. A return within the grace cancels the departure, and the arrival is not news; else
     * it is news if no other node holds the subject.
     */
    private void arrived(WebhookEvent.Type type, String subject, long atMillis) {
        String key = type.subjectField + ":" + subject;
        ScheduledFuture<?> departure = departures.remove(key);
        if (departure != null) {
            departure.cancel(false);
            return;
        }
        ledger.hold(key).thenAcceptAsync(news -> {
            if (news) {
                enqueue(new WebhookEvent(UUID.randomUUID().toString(), type, atMillis, subject));
            }
        }, thread);
    }

    /**
     * On the webhook thread: after the grace, unless an arrival cancels it first, this node lets the subject go,
     * and the departure is news if no other node holds it then.
     */
    private void departed(WebhookEvent.Type type, String subject, long atMillis) {
        String key = type.subjectField + ":" + subject;
        departures.put(key, thread.schedule(() -> {
            departures.remove(key);
            ledger.release(key).thenAcceptAsync(news -> {
                if (news) {
                    enqueue(new WebhookEvent(UUID.randomUUID().toString(), type, atMillis, subject));
                }
            }, thread);
        }, grace.toNanos(), TimeUnit.NANOSECONDS));
    }

    /**
     * On the thread that completed the publish: sent if the room's namespace asks for it. A stored message's id is
     * derived from its room and position, so a publish repeated with its idempotency key sends the same id.
     */
    @Override
    public void messagePublished(String room, Draft message, Position position) {
        if (!sendsMessages.test(room)) {
            return;
        }
        String id = position == null ? UUID.randomUUID().toString() : UUID.nameUUIDFromBytes(
                (room + '\n' + position.epoch() + '\n' + position.offset()).getBytes(StandardCharsets.UTF_8)).toString();
        WebhookEvent event = new WebhookEvent(id, WebhookEvent.Type.MESSAGE_PUBLISHED, message.timestampMillis(), room,
                message, position);
        try {
            thread.execute(() -> enqueue(event));
        } catch (RejectedExecutionException closed) {
            // Stopping: nothing more is sent.
        }
    }

    /** On a store's thread: what only crashed nodes held has departed; this node sends it, as of now. */
    private void orphaned(List<String> keys) {
        long at = System.currentTimeMillis();
        try {
            thread.execute(() -> keys.forEach(key -> {
                int colon = key.indexOf(':');
                WebhookEvent.Type type = key.startsWith("room:") ? WebhookEvent.Type.ROOM_VACATED : WebhookEvent.Type.USER_OFFLINE;
                enqueue(new WebhookEvent(UUID.randomUUID().toString(), type, at, key.substring(colon + 1)));
            }));
        } catch (RejectedExecutionException closed) {
            // Stopping: the orphans are lost with this node's queue (docs/operations.md).
        }
    }

    private void enqueue(WebhookEvent event) {
        if (queue.size() >= queueSize) {
            observer.event(WebhookObserver.Outcome.DROPPED_QUEUE_FULL);
            droppedUnlogged++;
            if (System.nanoTime() - lastDropLogNanos >= DROP_LOG_INTERVAL.toNanos()) {
                log.warn("webhook queue full ({} events; is {} answering?): dropped {} events since the last such line",
                        queueSize, url, droppedUnlogged);
                droppedUnlogged = 0;
                lastDropLogNanos = System.nanoTime();
            }
            return;
        }
        queue.add(event);
        if (sending == null) {
            sendNext();
        }
    }

    private void sendNext() {
        sending = queue.poll();
        attempts = 0;
        if (sending != null) {
            attempt();
        }
    }

    /** On the webhook thread: one POST of {@link #sending}; its answer comes back to this thread. */
    private void attempt() {
        WebhookEvent event = sending;
        byte[] body = body(event);
        HttpRequest request = HttpRequest.newBuilder(url).timeout(SEND_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("X-Roomcast-Signature", "sha256=" + HexFormat.of().formatHex(signer.doFinal(body)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            boolean delivered = failure == null && response.statusCode() / 100 == 2;
            String why = failure != null ? failure.toString() : "HTTP " + response.statusCode();
            try {
                thread.execute(() -> attempted(event, delivered, why));
            } catch (RejectedExecutionException closed) {
                // The node is stopping: what was not sent is not handed off (docs/operations.md).
            }
        });
    }

    private void attempted(WebhookEvent event, boolean delivered, String why) {
        if (delivered) {
            observer.event(WebhookObserver.Outcome.DELIVERED);
            sendNext();
            return;
        }
        if (System.currentTimeMillis() - event.timeMillis() >= maxAge.toMillis()) {
            observer.event(WebhookObserver.Outcome.DROPPED_EXPIRED);
            log.warn("dropped webhook {} {} after {} attempts over --webhook-max-age {}: last {}", event.type().wire(),
                    event.id(), attempts + 1, maxAge, why);
            sendNext();
            return;
        }
        observer.event(WebhookObserver.Outcome.RETRIED);
        long ceiling = Math.min(LONGEST_RETRY.toNanos(), FIRST_RETRY.toNanos() << Math.min(attempts, 20));
        attempts++;
        // Half fixed, half random: spreads the retries of many nodes without ever retrying at once.
        long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        log.debug("webhook {} {} failed ({}); retrying in {} ms", event.type().wire(), event.id(), why, delay / 1_000_000);
        thread.schedule(this::attempt, delay, TimeUnit.NANOSECONDS);
    }

    private static byte[] body(WebhookEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("id", event.id());
            json.writeStringField("type", event.type().wire());
            json.writeStringField("time", Instant.ofEpochMilli(event.timeMillis()).toString());
            json.writeStringField(event.type().subjectField, event.subject());
            if (event.message() != null) {
                writeMessage(json, event.message(), event.position());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The {@code message.published} fields after {@code room}: as the message frame has them (docs/protocol.md). */
    private static void writeMessage(JsonGenerator json, Draft message, Position position) throws IOException {
        json.writeStringField("user", message.from());
        if (position == null) {
            json.writeNullField("position");
        } else {
            json.writeObjectFieldStart("position");
            json.writeStringField("epoch", position.epoch());
            json.writeNumberField("offset", position.offset());
            json.writeEndObject();
        }
        Payload payload = message.payload();
        if (payload.event() != null) {
            json.writeStringField("event", payload.event());
        }
        if (payload.text() != null) {
            json.writeStringField("text", payload.text());
        } else {
            json.writeFieldName("data");
            json.writeRawValue(payload.data());
        }
        if (payload.key() != null) {
            json.writeStringField("key", payload.key());
        }
    }

    /**
     * Stops; events queued and not yet sent are lost. Departures still in their grace were not let go of in the
     * ledger, so with Redis a live node sends them once this node's lease runs out, unless they came back.
     */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
