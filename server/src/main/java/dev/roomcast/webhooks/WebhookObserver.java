package dev.roomcast.webhooks;

import java.util.Locale;

/** Hears what becomes of each webhook event, for the metrics. Called on the webhook thread; must be cheap. */
public interface WebhookObserver {

    /** What became of one event, or of one attempt to send it. */
    enum Outcome {
        /** A 2xx answer: sent. */
        DELIVERED,
        /** A failed attempt; the event is tried again later. */
        RETRIED,
        /** Dropped without an attempt: the queue held {@code --webhook-queue-size} events already. */
        DROPPED_QUEUE_FULL,
        /** Dropped after {@code --webhook-max-age} of failed attempts. */
        DROPPED_EXPIRED;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    void event(Outcome outcome);
}
