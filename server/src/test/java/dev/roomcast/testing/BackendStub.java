package dev.roomcast.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * An application backend for tests: the JDK's HTTP server on a free loopback port, answering each path
 * with what the test's function returns for the JSON body it got, and keeping every request it got.
 *
 * <p>Threading: thread-safe; requests are answered on a small pool of the server's own.
 */
public final class BackendStub implements AutoCloseable {

    /**
     * One request as the backend got it: {@code raw} the body's bytes as UTF-8 text, {@code body} parsed,
     * {@code receivedNanos} when it arrived ({@link System#nanoTime}).
     */
    public record Request(String path, Map<String, List<String>> headers, String raw, JsonNode body, long receivedNanos) {
        /** The first value of a header (names as the client sent them, first letter capitalised by the server). */
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** An answer: the status and the body (JSON text, or anything else). */
    public record Answer(int status, String body) {
        public static Answer json(String body) {
            return new Answer(200, body);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final Map<String, Function<JsonNode, Answer>> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private BackendStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(threads);
        server.createContext("/", this::serve);
        server.start();
    }

    public static BackendStub start() {
        try {
            return new BackendStub();
        } catch (IOException e) {
            throw new IllegalStateException("the test backend could not start", e);
        }
    }

    /** Answers {@code path} with {@code answer}'s answer to each request body. */
    public BackendStub on(String path, Function<JsonNode, Answer> answer) {
        routes.put(path, answer);
        return this;
    }

    public String url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path).toString();
    }

    /** Every request so far, in arrival order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            JsonNode body = JsonWs.JSON.readTree(raw);
            String path = exchange.getRequestURI().getPath();
            requests.add(new Request(path, Map.copyOf(exchange.getRequestHeaders()), new String(raw, StandardCharsets.UTF_8), body,
                    System.nanoTime()));
            Function<JsonNode, Answer> route = routes.get(path);
            Answer answer = route == null ? new Answer(404, "no such path") : route.apply(body);
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
