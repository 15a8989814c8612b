package dev.roomcast.testing;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * Skip or fail for tests that need something outside the JVM (Redis, a browser). With
 * {@code -Droomcast.require=redis,browser} (as CI sets it) a missing one fails the test with the
 * reason; without it, the test is skipped with the same reason printed.
 */
public final class Requirements {

    private static final Set<String> REQUIRED = Arrays.stream(System.getProperty("roomcast.require", "").split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());

    private Requirements() {
    }

    /** Fails or skips the test, depending on whether {@code what} is required, unless {@code available}. */
    public static void need(String what, boolean available, String reasonIfMissing) {
        if (available) {
            return;
        }
        if (REQUIRED.contains(what)) {
            throw new AssertionError(what + " is required (-Droomcast.require) but " + reasonIfMissing);
        }
        System.err.println("SKIPPED (" + what + "): " + reasonIfMissing);
        Assumptions.abort(reasonIfMissing);
    }
}
