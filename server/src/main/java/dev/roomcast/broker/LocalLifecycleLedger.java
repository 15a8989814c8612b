package dev.roomcast.broker;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The {@link LifecycleLedger} of a single node: no other node can hold anything, so every first is the first anywhere and
 * every last the last, and nothing is ever orphaned.
 *
 * <p>Threading: thread-safe (no state).
 */
public final class LocalLifecycleLedger implements LifecycleLedger {

    private static final CompletionStage<Boolean> YES = CompletableFuture.completedFuture(true);

    @Override
    public CompletionStage<Boolean> hold(String subject) {
        return YES;
    }

    @Override
    public CompletionStage<Boolean> release(String subject) {
        return YES;
    }

    @Override
    public void onOrphans(Consumer<List<String>> orphans) {
    }

    @Override
    public void close() {
    }
}
