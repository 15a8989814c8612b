package dev.roomcast.metrics;

import dev.roomcast.broker.DirectListener;
import dev.roomcast.broker.DirectRouter;
import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.UserDisconnect;
import dev.roomcast.room.UserReport;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A {@link DirectRouter} that measures the one it wraps: direct messages delivered or not, and failed
 * subscriptions and sends.
 *
 * <p>Threading: thread-safe, as the wrapped router is; it keeps no state of its own.
 */
public final class MeteredDirectRouter implements DirectRouter {

    private final DirectRouter router;
    private final ServerMetrics metrics;

    public MeteredDirectRouter(DirectRouter router, ServerMetrics metrics) {
        this.router = router;
        this.metrics = metrics;
    }

    @Override
    public void start(DirectListener listener) {
        router.start(listener);
    }

    @Override
    public CompletionStage<Void> addUser(String user) {
        return metrics.countFailure(router.addUser(user), BrokerOperation.SUBSCRIBE);
    }

    @Override
    public CompletionStage<Void> removeUser(String user) {
        return metrics.countFailure(router.removeUser(user), BrokerOperation.UNSUBSCRIBE);
    }

    @Override
    public CompletionStage<Boolean> direct(DirectMessage message) {
        return metrics.countFailure(router.direct(message), BrokerOperation.DIRECT).whenComplete((delivered, failure) -> {
            if (failure == null) {
                metrics.directMessage(delivered);
            }
        });
    }

    @Override
    public CompletionStage<Boolean> disconnectUser(UserDisconnect disconnect) {
        return metrics.countFailure(router.disconnectUser(disconnect), BrokerOperation.DIRECT);
    }

    @Override
    public CompletionStage<List<UserReport>> ask(String user) {
        return metrics.countFailure(router.ask(user), BrokerOperation.DIRECT);
    }
}
