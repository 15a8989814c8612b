package dev.roomcast.broker;

import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.UserDisconnect;
import dev.roomcast.room.UserReport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Receives the direct messages to the users this node added with {@link DirectRouter#addUser}.
 *
 * <p>Threading: called on the router's own thread (the sender's for {@link LocalDirectRouter}, a client
 * I/O thread for Redis); must not block and must not call back into the router synchronously.
 */
@FunctionalInterface
public interface DirectListener {

    void onDirect(DirectMessage message);

    /** A disconnect order for a user this node added; a listener that never disconnects users may leave it out. */
    default void onDisconnect(UserDisconnect disconnect) {
    }

    /** This node's report on a user it added, for {@link DirectRouter#ask}; a listener that keeps none reports nothing. */
    default CompletionStage<UserReport> onAsk(String user) {
        return CompletableFuture.completedFuture(new UserReport(0, List.of()));
    }
}
