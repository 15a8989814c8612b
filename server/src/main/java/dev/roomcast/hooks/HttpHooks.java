package dev.roomcast.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.roomcast.config.HookSettings;
import dev.roomcast.config.Namespaces;
import dev.roomcast.protocol.PublishRequest;
import dev.roomcast.protocol.UserNames;
import dev.roomcast.room.Payload;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@link Hooks} over HTTP: the connect hook of {@code --hook-connect} and the join and publish hooks of
 * each namespace, called with {@link HookCaller} and their answers read into verdicts (docs/operations.md,
 * "Your backend", is the contract a backend implements).
 *
 * <p>Threading: thread-safe; immutable apart from the caller's bound.
 */
public final class HttpHooks implements Hooks {

    private static final CompletionStage<Verdict> ALLOWED = CompletableFuture.completedFuture(new Verdict.Allowed(null));
    /** The codes a backend may give its refusals: what the client receives as the error's {@code code}. */
    private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    private static final String DEFAULT_CODE = "forbidden";
    private static final String DEFAULT_REASON = "refused by the application";

    private final HookCaller caller;
    private final URI connectUrl;
    private final List<String> forwardedHeaders;
    private final Namespaces namespaces;
    private final PublishRequest payloads;

    public HttpHooks(HookSettings settings, Namespaces namespaces, int maxPayloadBytes, HookObserver observer) {
        this.caller = new HookCaller(settings.timeout(), settings.maxConcurrent(), observer);
        this.connectUrl = settings.connectUrl() == null ? null : URI.create(settings.connectUrl());
        this.forwardedHeaders = new ArrayList<>(List.of("cookie", "authorization"));
        this.forwardedHeaders.addAll(settings.forwardedHeaders());
        this.namespaces = namespaces;
        this.payloads = new PublishRequest(maxPayloadBytes);
    }

    @Override
    public boolean checksConnects() {
        return connectUrl != null;
    }

    @Override
    public CompletionStage<ConnectVerdict> connect(ConnectCall call) {
        ObjectNode body = HookCaller.JSON.createObjectNode().put("hook", Hook.CONNECT.tag()).put("address", call.address())
                .put("path", call.path()).put("query", call.query());
        ObjectNode headers = body.putObject("headers");
        for (String name : forwardedHeaders) {
            String value = call.headers().get(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        return caller.call(Hook.CONNECT, connectUrl, body).thenApply(answer -> {
            if (answer instanceof HookCaller.Answer.Failed failed) {
                return new ConnectVerdict.Unavailable(failed.reason());
            }
            HookCaller.Answer.Reply reply = (HookCaller.Answer.Reply) answer;
            JsonNode json = reply.body();
            if (!json.get("allow").booleanValue()) {
                int status = json.path("status").asInt(403);
                if (status < 400 || status > 499) {
                    return new ConnectVerdict.Unavailable(caller.unusable(Hook.CONNECT, reply, "refused with status "
                            + status + ", not a 4xx one").reason());
                }
                caller.observe(Hook.CONNECT, HookOutcome.REFUSED, reply);
                return new ConnectVerdict.Refused(status, text(json, "reason", DEFAULT_REASON));
            }
            String user = text(json, "user", null);
            String refusal = user == null ? "gave no user" : UserNames.refusal(user);
            if (refusal != null) {
                return new ConnectVerdict.Unavailable(caller.unusable(Hook.CONNECT, reply, "allowed an unusable user: " + refusal).reason());
            }
            caller.observe(Hook.CONNECT, HookOutcome.ALLOWED, reply);
            List<String> rooms = globs(json, "rooms", List.of("*"));
            // As with a token: without a publish list the user may publish wherever it may join.
            return new ConnectVerdict.Allowed(user, text(json, "name", user), rooms, globs(json, "publish", rooms));
        });
    }

    @Override
    public CompletionStage<Verdict> join(String user, String room) {
        String url = namespaces.of(room).joinHook();
        if (url == null) {
            return ALLOWED;
        }
        ObjectNode body = HookCaller.JSON.createObjectNode().put("hook", Hook.JOIN.tag()).put("user", user).put("room", room);
        return ask(Hook.JOIN, url, body, reply -> {
            caller.observe(Hook.JOIN, HookOutcome.ALLOWED, reply);
            return new Verdict.Allowed(null);
        });
    }

    @Override
    public CompletionStage<Verdict> publish(String user, String room, Payload payload) {
        String url = namespaces.of(room).publishHook();
        if (url == null) {
            return ALLOWED;
        }
        ObjectNode body = HookCaller.JSON.createObjectNode().put("hook", Hook.PUBLISH.tag()).put("user", user).put("room", room);
        if (payload.event() != null) {
            body.put("event", payload.event());
        }
        if (payload.text() != null) {
            body.put("text", payload.text());
        } else {
            // Already compact JSON, checked when the request was read: sent as it is.
            body.putRawValue("data", new RawValue(payload.data()));
        }
        return ask(Hook.PUBLISH, url, body, reply -> {
            JsonNode json = reply.body();
            if (!json.has("text") && !json.has("data")) {
                caller.observe(Hook.PUBLISH, HookOutcome.ALLOWED, reply);
                return new Verdict.Allowed(null);
            }
            try {
                Payload replacement = payloads.payload(json);
                replacement = new Payload(replacement.event() != null ? replacement.event() : payload.event(),
                        replacement.text(), replacement.data(), replacement.key() != null ? replacement.key() : payload.key());
                caller.observe(Hook.PUBLISH, HookOutcome.REWRITTEN, reply);
                return new Verdict.Allowed(replacement);
            } catch (PublishRequest.Refusal refusal) {
                return new Verdict.Unavailable(caller.unusable(Hook.PUBLISH, reply, "answered a replacement that is not a "
                        + "valid message: " + refusal.getMessage()).reason());
            }
        });
    }

    /** Calls a join or publish hook; {@code allowed} reads an answer with {@code "allow": true}. */
    private CompletionStage<Verdict> ask(Hook hook, String url, ObjectNode body, Function<HookCaller.Answer.Reply, Verdict> allowed) {
        return caller.call(hook, URI.create(url), body).thenApply(answer -> {
            if (answer instanceof HookCaller.Answer.Failed failed) {
                return new Verdict.Unavailable(failed.reason());
            }
            HookCaller.Answer.Reply reply = (HookCaller.Answer.Reply) answer;
            if (reply.body().get("allow").booleanValue()) {
                return allowed.apply(reply);
            }
            caller.observe(hook, HookOutcome.REFUSED, reply);
            String code = text(reply.body(), "code", DEFAULT_CODE);
            return new Verdict.Refused(CODE.matcher(code).matches() ? code : DEFAULT_CODE,
                    text(reply.body(), "message", DEFAULT_REASON));
        });
    }

    private static String text(JsonNode json, String field, String otherwise) {
        JsonNode value = json.get(field);
        return value != null && value.isTextual() && !value.textValue().isBlank() ? value.textValue() : otherwise;
    }

    private static List<String> globs(JsonNode json, String field, List<String> otherwise) {
        JsonNode value = json.get(field);
        if (value == null || !value.isArray()) {
            return otherwise;
        }
        List<String> globs = new ArrayList<>();
        value.forEach(glob -> {
            if (glob.isTextual()) {
                globs.add(glob.textValue());
            }
        });
        return globs;
    }
}
