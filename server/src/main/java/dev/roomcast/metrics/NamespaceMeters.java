package dev.roomcast.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters of one namespace's rooms, all labelled with its name: deliveries and their bytes,
 * broker publishes, recoveries and presence changes. {@link ServerMetrics} makes one per configured
 * namespace and one for the default, and resolves a room to it once per room event, publish or join,
 * so counting a delivery costs what it did without the label.
 *
 * <p>Threading: thread-safe (adders and Micrometer meters).
 */
public final class NamespaceMeters {

    private final LongAdder deliveries = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final Timer publishOk;
    private final Timer publishFailed;
    private final Counter recovered;
    private final Counter notRecovered;
    private final Counter joined;
    private final Counter left;

    NamespaceMeters(Timer publishOk, Timer publishFailed, Counter recovered, Counter notRecovered, Counter joined,
                    Counter left) {
        this.publishOk = publishOk;
        this.publishFailed = publishFailed;
        this.recovered = recovered;
        this.notRecovered = notRecovered;
        this.joined = joined;
        this.left = left;
    }

    /** One room event of {@code bytes} frame bytes queued to one connection. */
    public void delivered(int bytes) {
        deliveries.increment();
        bytesOut.add(bytes);
    }

    LongAdder deliveries() {
        return deliveries;
    }

    LongAdder bytesOut() {
        return bytesOut;
    }

    void published(long nanos, boolean ok) {
        (ok ? publishOk : publishFailed).record(nanos, TimeUnit.NANOSECONDS);
    }

    void recovery(boolean wasRecovered) {
        (wasRecovered ? recovered : notRecovered).increment();
    }

    void presenceChanged(boolean userJoined) {
        (userJoined ? joined : left).increment();
    }
}
