package dev.roomcast.config;

import java.time.Duration;

/**
 * Where the lifecycle webhooks go ({@code room.occupied}, {@code room.vacated}, {@code user.online},
 * {@code user.offline}; docs/operations.md, "Your backend"), how they are signed, retried and queued; they are
 * debounced by {@code --presence-grace} ({@link Cluster#presenceGrace()}).
 *
 * <p>Threading: immutable.
 */
public record WebhookSettings(
        @Setting(flag = "--webhook-url",
                help = "URL the lifecycle events are POSTed to, as JSON, signed with --webhook-secret. Unset: no webhooks."
                        + " With Redis, set it on every node alike.")
        String url,
        @Setting(flag = "--webhook-secret", secret = true,
                help = "Key of the HMAC-SHA256 signature of each webhook body (X-Roomcast-Signature: sha256=<hex>).")
        String secret,
        @Setting(flag = "--webhook-max-age", defaultValue = "1h", min = "1s", max = "168h",
                help = "How long an event is retried (exponential backoff with jitter) until a 2xx before it is dropped.")
        Duration maxAge,
        @Setting(flag = "--webhook-queue-size", defaultValue = "10000", min = "1", max = "10000000",
                help = "Events waiting to be sent on this node; an event beyond it is dropped and counted.")
        int queueSize) {

    public WebhookSettings {
        url = HookSettings.checkedUrl("--webhook-url", url);
        if (url != null && (secret == null || secret.isBlank())) {
            throw new InvalidSetting("--webhook-secret", "is required with --webhook-url: receivers verify the signature");
        }
    }

    /** Whether webhooks are sent. */
    public boolean enabled() {
        return url != null;
    }
}
