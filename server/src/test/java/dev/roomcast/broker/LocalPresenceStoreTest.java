package dev.roomcast.broker;

import java.time.Clock;
import java.time.Duration;

/** LocalPresenceStore: the {@link PresenceStoreContract} on one in-process node. */
class LocalPresenceStoreTest extends PresenceStoreContract {

    @Override
    protected Backend newBackend() {
        return Backend.local(new LocalBroker(100, Duration.ofHours(1), Long.MAX_VALUE, Clock.systemUTC()));
    }
}
