package dev.roomcast.broker;

import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.UserDisconnect;
import dev.roomcast.room.UserReport;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The direct-message router of a single node: a set of the users it holds, and delivery straight to the
 * listener on the sender's thread.
 *
 * <p>Threading: thread-safe (a concurrent set and a volatile listener).
 */
public final class LocalDirectRouter implements DirectRouter {

    private final Set<String> users = ConcurrentHashMap.newKeySet();
    private volatile DirectListener listener = message -> { };

    @Override
    public void start(DirectListener listener) {
        this.listener = listener;
    }

    @Override
    public CompletionStage<Void> addUser(String user) {
        users.add(user);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> removeUser(String user) {
        users.remove(user);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Boolean> direct(DirectMessage message) {
        boolean held = users.contains(message.to());
        if (held) {
            listener.onDirect(message);
        }
        return CompletableFuture.completedFuture(held);
    }

    @Override
    public CompletionStage<Boolean> disconnectUser(UserDisconnect disconnect) {
        boolean held = users.contains(disconnect.user());
        if (held) {
            listener.onDisconnect(disconnect);
        }
        return CompletableFuture.completedFuture(held);
    }

    @Override
    public CompletionStage<List<UserReport>> ask(String user) {
        return users.contains(user) ? listener.onAsk(user).thenApply(List::of) : CompletableFuture.completedFuture(List.of());
    }
}
