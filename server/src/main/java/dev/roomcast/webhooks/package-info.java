/**
 * The lifecycle webhooks: {@code room.occupied}, {@code room.vacated}, {@code user.online} and {@code user.offline}
 * (decided across nodes through the broker's {@link dev.roomcast.broker.LifecycleLedger}), and {@code message.published}
 * for the namespaces that ask, POSTed, signed, debounced and retried to the application backend (docs/operations.md, "Your backend"). The
 * hub tells {@link dev.roomcast.webhooks.Webhooks} of changes through {@link dev.roomcast.hub.Lifecycle}; this
 * package knows no Netty and no metrics library (it reports through {@link dev.roomcast.webhooks.WebhookObserver}),
 * which ArchitectureTest checks.
 */
package dev.roomcast.webhooks;
