package dev.roomcast.testing;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Puts Netty's leak detector at its sampled level for one test class and restores the suite's level after it: the
 * suite runs at paranoid, which records a stack trace per buffer duplicate, so a class that sends to thousands of
 * members would measure the tracker; sampled tracking still reports leaks. Use with {@code @ExtendWith}.
 *
 * <p>Threading: called by JUnit on the class's thread; the suite's level is kept in the class's extension store.
 */
public final class SampledLeakTracking implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(SampledLeakTracking.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(STORE).put("suiteLevel", ResourceLeakDetector.getLevel());
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ResourceLeakDetector.setLevel(context.getStore(STORE).get("suiteLevel", ResourceLeakDetector.Level.class));
    }
}
