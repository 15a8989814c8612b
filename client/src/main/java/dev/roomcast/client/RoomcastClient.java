package dev.roomcast.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomcast.client.PendingRequests.Pending;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A connection to Roomcast's {@code /v1/ws} that reconnects by itself and rejoins its rooms from
 * the last position seen, so the application gets every message once and in order across drops
 * (docs/protocol.md, "Client behaviour"; roomcast.js behaves the same).
 *
 * <pre>{@code
 * RoomcastClient client = RoomcastClient.builder(URI.create("ws://127.0.0.1:8000/v1/ws")).name("ann")
 *         .listener(new ClientListener() {
 *             public void onRecovery(Recovery r) { if (!r.recovered()) reload(r.room()); }
 *         })
 *         .connect();
 * client.join("lobby", m -> System.out.println(m.from() + ": " + m.text())).join();
 * client.publish("lobby", "hello").join();
 * }</pre>
 *
 * <p>Requests return futures completed by the server's answer: an {@code error} answer fails them
 * with a {@link RoomcastException} carrying the error code, no answer within the request timeout
 * with a {@link TimeoutException}, a connection lost before the answer with an {@link IOException}
 * (a {@code publish} may or may not have been published). A request made while disconnected is
 * sent once the connection is welcomed again.
 *
 * <p>Threading: every method may be called from any thread. Frames are read on the HttpClient's
 * executor and state changes under this client's lock, held briefly and never while calling the
 * application. Listeners, and the dependent stages of the futures this class returns, run on the
 * callback executor (by default two daemon threads shared by every client of the JVM): one at a
 * time per client, in the order the frames arrived. A slow listener delays only later callbacks
 * of its client; the socket keeps reading (frames wait in memory). Timers run on one shared
 * daemon thread. There is no thread per client and none per room ({@link ClientThreads}).
 */
public final class RoomcastClient implements AutoCloseable {

    /** Close codes after which retrying cannot help (docs/protocol.md, "Close codes"). */
    private static final Set<Integer> FINAL_CLOSE_CODES = Set.of(1002, 1003, 1007, 1008, 1009, 4001);
    /** Upgrade answers that say the token (or origin) is refused: retrying the same one cannot help. */
    private static final Set<Integer> REFUSED_UPGRADES = Set.of(401, 403);
    private static final int ABNORMAL_CLOSE = 1006;
    /** Reads numbers exactly (big integers, decimals as written), so a message's {@code data} is what was sent. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private final URI url;
    private final Supplier<String> tokens;
    private final boolean tokensRefresh;
    private final ClientListener listener;
    private final Backoff backoff;
    private final Duration requestTimeout;
    private final HttpClient http;
    private final ScheduledExecutorService timer;
    private final CallbackLane callbacks;
    private final ScheduledFuture<?> pinger;

    // Guarded by this. Each connection attempt gets a new generation; a callback of an older socket is ignored.
    private final Map<String, Room> rooms = new LinkedHashMap<>();
    private final PendingRequests pending = new PendingRequests();
    private final Connection connection = new Connection();

    /** One socket's state, replaced wholesale on every connect.
     *
     * <p>Threading: guarded by the client's lock.
     */
    private static final class Connection {
        int generation;
        WebSocket socket;
        CompletableFuture<WebSocket> sends;
        ConnectionState state = ConnectionState.CONNECTING;
        int failedAttempts;
        String user;
        String token;
        ScheduledFuture<?> refresh;
    }

    private RoomcastClient(Builder builder) {
        this.url = builder.name == null ? builder.url : withQuery(builder.url, "name=" + URLEncoder.encode(builder.name, StandardCharsets.UTF_8));
        this.tokens = builder.tokens;
        this.tokensRefresh = builder.tokensRefresh;
        this.listener = builder.listener;
        this.backoff = new Backoff(builder.minDelay, builder.maxDelay, () -> ThreadLocalRandom.current().nextDouble());
        this.requestTimeout = builder.requestTimeout;
        this.http = builder.http;
        this.timer = ClientThreads.TIMER;
        this.callbacks = new CallbackLane(builder.callbackExecutor);
        long pingMillis = builder.pingInterval.toMillis();
        this.pinger = timer.scheduleWithFixedDelay(this::checkLiveness, pingMillis, pingMillis, TimeUnit.MILLISECONDS);
    }

    /** Starts building a client of {@code url}, the server's {@code ws://…/v1/ws} (or {@code wss://}). */
    public static Builder builder(URI url) {
        return new Builder(url);
    }

    // ---- requests ---------------------------------------------------------------------------------

    /**
     * Joins {@code room}; its messages go to {@code onMessage}. After a reconnect the client rejoins
     * by itself with {@code since} set to the last position seen, and reports the outcome to
     * {@link ClientListener#onRecovery}. Completes with the room's position when the join took effect.
     */
    public CompletableFuture<Position> join(String room, Consumer<Message> onMessage) {
        Objects.requireNonNull(onMessage, "onMessage");
        Room state;
        synchronized (this) {
            state = rooms.get(room);
            if (state != null && state.active) {
                state.listener = onMessage;
            } else {
                state = new Room(onMessage);
                rooms.put(room, state);
            }
        }
        Room joining = state;
        return answered(sendJoin(room, joining).whenComplete((ok, error) -> {
            synchronized (this) {
                if (error == null) {
                    joining.active = true;
                } else if (!joining.active && rooms.get(room) == joining) {
                    rooms.remove(room);
                }
            }
        }), RoomcastClient::position);
    }

    /** Leaves {@code room} and stops rejoining it. */
    public CompletableFuture<Void> leave(String room) {
        synchronized (this) {
            rooms.remove(room);
        }
        return answered(request(body("leave").put("room", room)), ok -> null);
    }

    /** Publishes {@code text} to a joined room; completes with the position the message was given. */
    public CompletableFuture<Position> publish(String room, String text) {
        return publish(room, Publication.text(text));
    }

    /**
     * Publishes a text or JSON value to a joined room, with an event name, ephemeral, without echo or with
     * an idempotency key as {@code publication} says; completes with the position the message was given
     * (the first publish's for a repeated idempotency key), or null for an ephemeral one.
     */
    public CompletableFuture<Position> publish(String room, Publication publication) {
        ObjectNode request = body("publish").put("room", room);
        publication.writeTo(request);
        return answered(request(request), RoomcastClient::position);
    }

    /** Sends {@code text} privately to every session of user {@code to}. */
    public CompletableFuture<Void> direct(String to, String text) {
        return answered(request(body("direct").put("to", to).put("text", text)), ok -> null);
    }

    /** Who is in {@code room}, on every node: the first page of up to 1000 users (or a count room's member count). */
    public CompletableFuture<Presence> presence(String room) {
        return answered(request(body("presence").put("room", room)), RoomcastClient::presenceOf);
    }

    /**
     * One page of who is in {@code room}, on every node: at most {@code limit} users (1 to 1000) after
     * {@code cursor}, the {@link Presence#next} of the previous page, or from the first when it is null.
     */
    public CompletableFuture<Presence> presence(String room, int limit, String cursor) {
        ObjectNode request = body("presence").put("room", room).put("limit", limit);
        if (cursor != null) {
            request.put("cursor", cursor);
        }
        return answered(request(request), RoomcastClient::presenceOf);
    }

    /** An application-level round trip. */
    public CompletableFuture<Void> ping() {
        return answered(request(body("ping")), ok -> null);
    }

    /**
     * Hands the server a fresh token for the same user. A client built with
     * {@link Builder#tokenSupplier} does this by itself before each token expires.
     */
    public CompletableFuture<Void> refresh(String token) {
        return answered(request(body("refresh").put("token", token)), ok -> null);
    }

    /** Drops the current connection on purpose (after a network change, say) and reconnects at once, recovering. */
    public void reconnect() {
        WebSocket dropped;
        int generation;
        synchronized (this) {
            dropped = connection.socket;
            generation = connection.generation;
            connection.failedAttempts = 0;
        }
        if (dropped != null) {
            dropped.abort();
            lost(generation, 1000, "reconnecting", false);
        }
    }

    /** Closes for good: no more reconnects; requests still waiting fail. */
    @Override
    public void close() {
        WebSocket socket;
        List<Pending> failed;
        synchronized (this) {
            if (connection.state == ConnectionState.CLOSED) {
                return;
            }
            socket = connection.socket;
            failed = stop();
        }
        failAll(failed, new IOException("client closed"));
        if (socket != null) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((ws, error) -> socket.abort());
        }
        emit(new ConnectionEvent(ConnectionState.CLOSED, WebSocket.NORMAL_CLOSURE, "closed by the client", Duration.ZERO));
    }

    public synchronized ConnectionState state() {
        return connection.state;
    }

    /** The user the server says this client acts for, from the last welcome; null before the first. */
    public synchronized String user() {
        return connection.user;
    }

    // ---- connecting -------------------------------------------------------------------------------

    private void connect() {
        int generation;
        synchronized (this) {
            if (connection.state == ConnectionState.CLOSED) {
                return;
            }
            generation = ++connection.generation;
            connection.state = ConnectionState.CONNECTING;
        }
        String token = tokens == null ? null : tokens.get();
        WebSocket.Builder upgrade = http.newWebSocketBuilder().connectTimeout(requestTimeout);
        if (token != null) {
            upgrade.header("Authorization", "Bearer " + token);
        }
        upgrade.buildAsync(url, new SocketListener(generation, token)).whenComplete((socket, error) -> {
            if (error != null) {
                upgradeFailed(generation, error instanceof CompletionException ? error.getCause() : error);
            }
        });
    }

    private void upgradeFailed(int generation, Throwable cause) {
        if (cause instanceof WebSocketHandshakeException refused && REFUSED_UPGRADES.contains(refused.getResponse().statusCode())) {
            lost(generation, ABNORMAL_CLOSE, "upgrade refused with HTTP " + refused.getResponse().statusCode(), true);
        } else {
            lost(generation, ABNORMAL_CLOSE, String.valueOf(cause), false);
        }
    }

    /**
     * Reads one socket's frames; everything it does is dropped once its generation is stale.
     *
     * <p>Threading: the HttpClient calls it on its executor, one call at a time per socket.
     */
    private final class SocketListener implements WebSocket.Listener {
        private final int generation;
        private final String token;
        private final StringBuilder partial = new StringBuilder();

        SocketListener(int generation, String token) {
            this.generation = generation;
            this.token = token;
        }

        @Override
        public void onOpen(WebSocket socket) {
            boolean current;
            synchronized (RoomcastClient.this) {
                current = connection.generation == generation;
                if (current) {
                    connection.socket = socket;
                    connection.sends = CompletableFuture.completedFuture(socket);
                    connection.token = token;
                }
            }
            if (current) {
                socket.request(1);
            } else {
                // Opened after the client was closed or had given this attempt up: nobody will use it.
                socket.abort();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                onFrame(generation, frame);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            lost(generation, statusCode, reason, false);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            lost(generation, ABNORMAL_CLOSE, String.valueOf(error), false);
        }
    }

    private void onFrame(int generation, String text) {
        JsonNode frame;
        try {
            frame = JSON.readTree(text);
        } catch (IOException e) {
            return; // not JSON: the protocol never sends that, and a client must not die of it
        }
        synchronized (this) {
            if (connection.generation != generation) {
                return;
            }
        }
        switch (frame.path("type").asText()) {
            case "welcome" -> welcomed(generation, frame.path("user").asText());
            case "message" -> onMessage(frame);
            case "recovered" -> onRecovered(frame);
            case "ok", "presence", "error" -> settle(frame);
            case "direct" -> {
                DirectMessage direct = new DirectMessage(frame.path("from").asText(), frame.path("text").asText(), frame.path("ts").asLong());
                callbacks.execute(() -> listener.onDirect(direct));
            }
            case "joined", "left" -> {
                PresenceChange change = new PresenceChange(frame.path("room").asText(), frame.path("user").asText(),
                        frame.path("type").asText().equals("joined"));
                callbacks.execute(() -> listener.onPresence(change));
            }
            case "occupancy" -> {
                Occupancy occupancy = new Occupancy(frame.path("room").asText(), frame.path("members").asInt());
                callbacks.execute(() -> listener.onOccupancy(occupancy));
            }
            default -> {
                // a frame type added later in v1: clients ignore what they do not know
            }
        }
    }

    /** The welcome: rejoin every room from its last position first, then send what waited for the connection. */
    private void welcomed(int generation, String user) {
        synchronized (this) {
            connection.state = ConnectionState.OPEN;
            connection.failedAttempts = 0;
            connection.user = user;
            List<Pending> waiting = pending.unsent();
            rooms.forEach((name, room) -> {
                if (room.active) {
                    sendJoin(name, room).whenComplete((ok, error) -> {
                        if (error != null) {
                            callbacks.execute(() -> listener.onError(error));
                        }
                    });
                }
            });
            waiting.forEach(this::send);
            scheduleRefresh(generation);
        }
        emit(new ConnectionEvent(ConnectionState.OPEN, 0, "", Duration.ZERO));
    }

    private void onMessage(JsonNode frame) {
        Message message = new Message(frame.path("room").asText(), position(frame), frame.path("from").asText(),
                frame.hasNonNull("event") ? frame.get("event").asText() : null,
                frame.has("data") ? null : frame.path("text").asText(), frame.get("data"), frame.path("ts").asLong());
        Consumer<Message> target;
        synchronized (this) {
            Room room = rooms.get(message.room());
            if (room == null) {
                return; // left meanwhile
            }
            if (message.position() != null) { // an ephemeral message has none, and is never recovered
                room.advance(message.position());
            }
            target = room.listener;
        }
        callbacks.execute(() -> target.accept(message));
    }

    private void onRecovered(JsonNode frame) {
        Recovery recovery = new Recovery(frame.path("room").asText(), frame.path("recovered").asBoolean(),
                frame.path("missed").asLong(), position(frame));
        if (!recovery.recovered()) {
            // Nothing is replayed: carry on from the room's current position.
            synchronized (this) {
                Room room = rooms.get(recovery.room());
                if (room != null) {
                    room.advance(recovery.position());
                }
            }
        }
        callbacks.execute(() -> listener.onRecovery(recovery));
    }

    /**
     * The connection of {@code generation} ended: fail what was sent on it, then retry after a
     * backoff unless the client is closed, the close code says retrying cannot help, or the token
     * was refused ({@code refused}).
     */
    private void lost(int generation, int code, String reason, boolean refused) {
        ConnectionEvent event;
        List<Pending> failed;
        synchronized (this) {
            if (connection.generation != generation || connection.state == ConnectionState.CLOSED) {
                return;
            }
            connection.generation++;
            connection.socket = null;
            boolean freshToken = code == 1008 && "token expired".equals(reason) && tokensRefresh;
            if (refused || (FINAL_CLOSE_CODES.contains(code) && !freshToken)) {
                failed = stop();
                event = new ConnectionEvent(ConnectionState.CLOSED, code, reason, Duration.ZERO);
            } else {
                failed = pending.removeSent();
                cancelRefresh();
                Duration delay = backoff.delay(connection.failedAttempts++);
                connection.state = ConnectionState.RECONNECTING;
                timer.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
                event = new ConnectionEvent(ConnectionState.RECONNECTING, code, reason, delay);
            }
        }
        failAll(failed, new IOException("connection lost (" + code + " " + reason + ")"));
        emit(event);
    }

    /** Marks the client closed and returns every request still waiting, to fail outside the lock. */
    private List<Pending> stop() {
        assert Thread.holdsLock(this);
        connection.state = ConnectionState.CLOSED;
        connection.generation++;
        connection.socket = null;
        pinger.cancel(false);
        cancelRefresh();
        return pending.removeAll();
    }

    // ---- liveness and tokens ----------------------------------------------------------------------

    /**
     * Ping/pong liveness: the JDK answers the server's WebSocket pings, and this sends an
     * application {@code ping} every ping interval; a socket that leaves it unanswered for the
     * request timeout is dead (a half-open TCP connection) and is dropped and reconnected.
     */
    private void checkLiveness() {
        int generation;
        WebSocket socket;
        synchronized (this) {
            if (connection.state != ConnectionState.OPEN) {
                return;
            }
            generation = connection.generation;
            socket = connection.socket;
        }
        request(body("ping")).whenComplete((ok, error) -> {
            if (error instanceof TimeoutException) {
                socket.abort();
                lost(generation, ABNORMAL_CLOSE, "no answer to ping", false);
            }
        });
    }

    /** With a token supplier, refreshes when three quarters of the connection's token lifetime have passed. */
    private void scheduleRefresh(int generation) {
        assert Thread.holdsLock(this);
        if (!tokensRefresh || connection.token == null) {
            return;
        }
        TokenLifetime.expiry(connection.token, JSON).ifPresent(expiry -> {
            long left = Duration.between(Instant.now(), expiry).toMillis();
            connection.refresh = timer.schedule(() -> refreshNow(generation), Math.max(0, left * 3 / 4), TimeUnit.MILLISECONDS);
        });
    }

    private void refreshNow(int generation) {
        String token = tokens.get();
        request(body("refresh").put("token", token)).whenComplete((ok, error) -> {
            if (error != null) {
                callbacks.execute(() -> listener.onError(error));
                return;
            }
            synchronized (this) {
                if (connection.generation == generation) {
                    connection.token = token;
                    scheduleRefresh(generation);
                }
            }
        });
    }

    private void cancelRefresh() {
        if (connection.refresh != null) {
            connection.refresh.cancel(false);
            connection.refresh = null;
        }
    }

    // ---- requests on the wire ---------------------------------------------------------------------

    private CompletableFuture<JsonNode> sendJoin(String name, Room room) {
        ObjectNode join = body("join").put("room", name);
        boolean recovering;
        synchronized (this) {
            recovering = room.position != null;
            if (recovering) {
                join.putObject("since").put("epoch", room.position.epoch()).put("offset", room.position.offset());
            }
        }
        return request(join).handle((ok, error) -> {
            if (error instanceof RoomcastException refused && refused.code().equals("already_joined")) {
                return JSON.createObjectNode().put("type", "ok").put("room", name);
            }
            if (error != null) {
                throw error instanceof CompletionException wrapped ? wrapped : new CompletionException(error);
            }
            // A first join starts at the room's current position; a recovering one learns its
            // position from the replayed messages (or from `recovered` when none can be).
            if (!recovering && ok.has("epoch")) {
                synchronized (this) {
                    room.advance(position(ok));
                }
            }
            return ok;
        });
    }

    /** Sends {@code body} now if welcomed, else when the connection is; completes on this client's I/O thread. */
    private CompletableFuture<JsonNode> request(ObjectNode body) {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        synchronized (this) {
            if (connection.state == ConnectionState.CLOSED) {
                answer.completeExceptionally(new IOException("client closed"));
                return answer;
            }
            String ref = pending.nextRef();
            body.put("ref", ref);
            ScheduledFuture<?> timeout = timer.schedule(() -> expire(ref), requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
            Pending request = new Pending(body, answer, timeout);
            pending.add(ref, request);
            if (connection.state == ConnectionState.OPEN) {
                send(request);
            }
        }
        return answer;
    }

    private void send(Pending request) {
        assert Thread.holdsLock(this);
        request.sent = true;
        String text = request.body.toString();
        // java.net.http.WebSocket allows one outstanding send at a time: chain them.
        connection.sends = connection.sends.thenCompose(socket -> socket.sendText(text, true));
    }

    private void expire(String ref) {
        Pending expired;
        synchronized (this) {
            expired = pending.remove(ref);
        }
        if (expired != null) {
            expired.answer.completeExceptionally(new TimeoutException("no answer to " + expired.body.path("type").asText()
                    + " within " + requestTimeout.toMillis() + " ms"));
        }
    }

    private void settle(JsonNode frame) {
        Pending answered;
        synchronized (this) {
            answered = frame.hasNonNull("ref") ? pending.remove(frame.get("ref").asText()) : null;
        }
        boolean error = frame.path("type").asText().equals("error");
        if (answered == null) {
            if (error) {
                RoomcastException unawaited = new RoomcastException(frame.path("code").asText(), frame.path("message").asText());
                callbacks.execute(() -> listener.onError(unawaited));
            }
        } else if (error) {
            answered.answer.completeExceptionally(new RoomcastException(frame.path("code").asText(), frame.path("message").asText()));
        } else {
            answered.answer.complete(frame);
        }
    }

    private static void failAll(List<Pending> requests, IOException cause) {
        requests.forEach(request -> request.answer.completeExceptionally(cause));
    }

    /** The application's view of an answer: converted, and completed on the callback lane so its dependents never run on the socket's thread. */
    private <T> CompletableFuture<T> answered(CompletableFuture<JsonNode> answer, Function<JsonNode, T> convert) {
        CompletableFuture<T> result = new CompletableFuture<>();
        answer.whenComplete((frame, error) -> callbacks.execute(() -> {
            if (error != null) {
                result.completeExceptionally(error instanceof CompletionException wrapped ? wrapped.getCause() : error);
            } else {
                result.complete(convert.apply(frame));
            }
        }));
        return result;
    }

    private void emit(ConnectionEvent event) {
        callbacks.execute(() -> listener.onConnection(event));
    }

    private static ObjectNode body(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    private static Position position(JsonNode frame) {
        return frame.has("epoch") ? new Position(frame.get("epoch").asText(), frame.path("offset").asLong()) : null;
    }

    private static Presence presenceOf(JsonNode frame) {
        Map<String, Integer> users = new LinkedHashMap<>();
        frame.path("users").forEach(entry -> users.put(entry.path("user").asText(), entry.path("sessions").asInt()));
        return new Presence(frame.path("room").asText(), users, frame.hasNonNull("next") ? frame.get("next").asText() : null,
                frame.has("members") ? frame.get("members").asInt() : null);
    }

    private static URI withQuery(URI url, String parameter) {
        String text = url.toString();
        return URI.create(text + (url.getRawQuery() == null ? "?" : "&") + parameter);
    }

    /**
     * Settings of a {@link RoomcastClient}; {@link #connect()} builds it and starts connecting.
     *
     * <p>Threading: one thread builds.
     */
    public static final class Builder {
        private final URI url;
        private String name;
        private Supplier<String> tokens;
        private boolean tokensRefresh;
        private ClientListener listener = new ClientListener() { };
        private Duration minDelay = Duration.ofMillis(250);
        private Duration maxDelay = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration pingInterval = Duration.ofSeconds(25);
        private HttpClient http = ClientThreads.HTTP;
        private Executor callbackExecutor = ClientThreads.CALLBACKS;

        private Builder(URI url) {
            this.url = Objects.requireNonNull(url, "url");
        }

        /** The user name of an anonymous connection ({@code ?name=}); ignored by a server that uses tokens. */
        public Builder name(String value) {
            name = value;
            return this;
        }

        /** One token for every connection; when it expires the server closes (1008) and the client stops. */
        public Builder token(String value) {
            tokens = () -> value;
            tokensRefresh = false;
            return this;
        }

        /**
         * Asked for a token on every connect and before each token expires (at three quarters of
         * its lifetime, from its {@code exp}); may block briefly, it runs on the timer thread.
         */
        public Builder tokenSupplier(Supplier<String> value) {
            tokens = Objects.requireNonNull(value);
            tokensRefresh = true;
            return this;
        }

        public Builder listener(ClientListener value) {
            listener = Objects.requireNonNull(value);
            return this;
        }

        /** Reconnect delays: the ceiling doubles from {@code min} per failed attempt up to {@code max}; defaults 250 ms and 10 s. */
        public Builder backoff(Duration min, Duration max) {
            minDelay = min;
            maxDelay = max;
            return this;
        }

        /** How long a request waits for its answer, including for the connection; default 10 s. */
        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        /** How often an application ping checks that an open connection is alive; default 25 s. */
        public Builder pingInterval(Duration value) {
            pingInterval = value;
            return this;
        }

        /** The HttpClient to open sockets with (its executor reads frames); default one shared by all clients. */
        public Builder httpClient(HttpClient value) {
            http = Objects.requireNonNull(value);
            return this;
        }

        /** Where listeners and future dependents run, one at a time per client; default two shared daemon threads. */
        public Builder callbackExecutor(Executor value) {
            callbackExecutor = Objects.requireNonNull(value);
            return this;
        }

        /** Builds the client and starts connecting; requests made before the welcome wait for it. */
        public RoomcastClient connect() {
            RoomcastClient client = new RoomcastClient(this);
            client.connect();
            return client;
        }
    }
}
