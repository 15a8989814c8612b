package dev.roomcast.testing;

import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. Registered for every class
 * through junit-platform.properties (extension auto-detection) and META-INF/services; reports
 * reach it through {@link LeakRecorder}. Tests run with
 * {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked.
 */
public final class LeakCheck implements AfterAllCallback {

    /** Collect-and-poll rounds; a leaked buffer is only reported once it has been collected. */
    private static final int ROUNDS = 3;

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        surfaceCollectedLeaks();
        List<String> leaks = LeakRecorder.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported while " + context.getDisplayName()
                    + " ran (the server's or the test's own); the first:\n" + leaks.get(0));
        }
    }

    /**
     * Netty reports a leak when the leaked buffer has been garbage-collected and a later
     * allocation polls the detector's queue: collect, then allocate.
     */
    private static void surfaceCollectedLeaks() throws InterruptedException {
        for (int i = 0; i < ROUNDS; i++) {
            System.gc();
            Thread.sleep(20);
            ByteBufAllocator.DEFAULT.buffer(1).release();
            ByteBufAllocator.DEFAULT.directBuffer(1).release();
        }
    }
}
