package dev.roomcast.broker;

import java.time.Clock;
import java.time.Duration;

/** LocalDirectRouter: the {@link DirectRouterContract} on one in-process node. */
class LocalDirectRouterTest extends DirectRouterContract {

    @Override
    protected Backend newBackend() {
        return Backend.local(new LocalBroker(100, Duration.ofHours(1), Long.MAX_VALUE, Clock.systemUTC()));
    }
}
