package dev.roomcast.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs one JSON body to a backend URL with the JDK's asynchronous {@link HttpClient} and reads its JSON
 * answer, within a timeout and a bound on the calls in flight; a failure is a value ({@link Answer.Failed}),
 * already reported to the {@link HookObserver}, never an exception.
 *
 * <p>Threading: thread-safe (the HTTP client and the semaphore are); answers complete on the client's threads.
 */
final class HookCaller {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** How a call came back. */
    sealed interface Answer {
        /** A 2xx answer whose body is a JSON object, after {@code nanos}. */
        record Reply(JsonNode body, long nanos) implements Answer {
        }

        /** No usable answer; {@code reason} says why, for the log and the client's one-liner. */
        record Failed(String reason) implements Answer {
        }
    }

    private final HttpClient http;
    private final Duration timeout;
    private final Semaphore inFlight;
    private final HookObserver observer;

    HookCaller(Duration timeout, int maxConcurrent, HookObserver observer) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        this.timeout = timeout;
        this.inFlight = new Semaphore(maxConcurrent);
        this.observer = observer;
    }

    /** Calls {@code url} with {@code body}. */
    CompletionStage<Answer> call(Hook hook, URI url, JsonNode body) {
        if (!inFlight.tryAcquire()) {
            observer.called(hook, HookOutcome.OVERLOADED, 0);
            return CompletableFuture.completedFuture(new Answer.Failed("too many " + hook.tag() + " hook calls in flight"));
        }
        long start = System.nanoTime();
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        } catch (IOException e) {
            inFlight.release();
            throw new IllegalStateException("a hook body could not be written", e);
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                // The request timeout covers the wait for the answer's headers; this bounds the whole call.
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .handle((response, failure) -> {
                    inFlight.release();
                    long nanos = System.nanoTime() - start;
                    if (failure != null) {
                        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                        boolean late = cause instanceof HttpTimeoutException || cause instanceof TimeoutException;
                        observer.called(hook, late ? HookOutcome.TIMEOUT : HookOutcome.FAILED, nanos);
                        return new Answer.Failed(late ? "the " + hook.tag() + " hook did not answer within " + timeout.toMillis() + " ms"
                                : "the " + hook.tag() + " hook could not be reached");
                    }
                    return read(hook, response, nanos);
                });
    }

    private Answer read(Hook hook, HttpResponse<byte[]> response, long nanos) {
        if (response.statusCode() / 100 != 2) {
            observer.called(hook, HookOutcome.FAILED, nanos);
            return new Answer.Failed("the " + hook.tag() + " hook answered HTTP " + response.statusCode());
        }
        try {
            JsonNode body = JSON.readTree(response.body());
            if (body != null && body.isObject() && body.path("allow").isBoolean()) {
                return new Answer.Reply(body, nanos);
            }
        } catch (IOException notJson) {
            // refused below
        }
        observer.called(hook, HookOutcome.FAILED, nanos);
        return new Answer.Failed("the " + hook.tag() + " hook answered no JSON object with a boolean \"allow\"");
    }

    /** Reports a reply that the caller found unusable after all (a bad field): it fails closed too. */
    Answer.Failed unusable(Hook hook, Answer.Reply reply, String reason) {
        observer.called(hook, HookOutcome.FAILED, reply.nanos());
        return new Answer.Failed("the " + hook.tag() + " hook " + reason);
    }

    void observe(Hook hook, HookOutcome outcome, Answer.Reply reply) {
        observer.called(hook, outcome, reply.nanos());
    }
}
