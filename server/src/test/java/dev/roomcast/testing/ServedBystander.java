package dev.roomcast.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test server for a whole test class with a {@link Bystander} around every test: connected
 * before the test does its worst, checked after it that it is still served. Register it as a
 * static field with {@code @RegisterExtension}; the server starts with the class and stops after
 * its last test. Confined to the test thread.
 */
public final class ServedBystander implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private final TestServer server = TestServer.start();
    private Bystander bystander;

    public TestServer server() {
        return server;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        bystander = Bystander.join(server);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try (Bystander b = bystander) {
            b.assertStillServed();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }
}
