package dev.roomcast.server.gate;

import dev.roomcast.protocol.UserNames;
import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Generates session ids and guest names. Thread-safe. */
public final class Identities {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final String nodePrefix = Long.toString(RANDOM.nextInt(Integer.MAX_VALUE), 36);
    private final AtomicLong sequence = new AtomicLong();

    /** This node's id, as told to clients in {@code welcome}; the prefix of its session ids. */
    public String nodeId() {
        return nodePrefix;
    }

    /** The number of a new session on this node; its id is {@link #sessionId}{@code (nodeId(), number)}. */
    public long newSessionNumber() {
        return sequence.incrementAndGet();
    }

    /** Unique across nodes with high probability, and across this node's sessions for sure. */
    public static String sessionId(String nodeId, long number) {
        return nodeId + "-" + Long.toString(number, 36);
    }

    /**
     * A display name for an anonymous session, like {@code guest-4821}. Interned: there are only
     * 9,000 of them, and a server with many guests then keeps one copy of each, not one per connection.
     */
    String guestName() {
        return (UserNames.GUEST_PREFIX + (1000 + ThreadLocalRandom.current().nextInt(9000))).intern();
    }
}
