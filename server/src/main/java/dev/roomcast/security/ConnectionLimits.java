package dev.roomcast.security;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the connections admitted for a WebSocket upgrade, in total and per client address, and
 * refuses beyond the limits. A slot is taken before the handshake, so a burst of concurrent
 * upgrades cannot overshoot, and given back when the connection closes. Thread-safe.
 */
public final class ConnectionLimits {

    /** The outcome of asking for a slot. */
    public enum Admission { ADMITTED, AT_CAPACITY, TOO_MANY_FROM_ADDRESS }

    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    /** @param maxPerAddress 0 means no per-address limit */
    public ConnectionLimits(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** Whether connections are counted per address, i.e. whether {@link #tryAdmit} needs the address. */
    public boolean countsAddresses() {
        return maxPerAddress > 0;
    }

    /**
     * Takes a slot for a connection from {@code address} (null when {@link #countsAddresses()} is
     * false); the caller must {@link #release} an admitted one with the same address.
     */
    public Admission tryAdmit(String address) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return Admission.AT_CAPACITY;
        }
        if (maxPerAddress > 0) {
            boolean[] admitted = {false};
            perAddress.compute(address, (a, count) -> {
                AtomicInteger c = count == null ? new AtomicInteger() : count;
                if (c.get() < maxPerAddress) {
                    c.incrementAndGet();
                    admitted[0] = true;
                }
                return c.get() == 0 ? null : c;
            });
            if (!admitted[0]) {
                total.decrementAndGet();
                return Admission.TOO_MANY_FROM_ADDRESS;
            }
        }
        return Admission.ADMITTED;
    }

    /** Gives back the slot of a closed connection that was admitted. */
    public void release(String address) {
        total.decrementAndGet();
        if (maxPerAddress > 0) {
            perAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() == 0 ? null : count);
        }
    }

    /** Connections holding a slot. */
    public int total() {
        return total.get();
    }
}
