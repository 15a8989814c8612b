package dev.roomcast.testing;

import dev.roomcast.config.RoomcastConfig;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.WebDriver;

/**
 * A headless browser and a node for one browser test class, as a static {@code @RegisterExtension}
 * field: both start before the class's tests (the class is skipped, or fails when required, without a
 * browser) and both close after them.
 *
 * <p>Threading: JUnit's thread for the class.
 */
public final class BrowserAndServer implements BeforeAllCallback, AfterAllCallback {

    private final UnaryOperator<RoomcastConfig.Builder> settings;
    private HeadlessChromium browser;
    private TestServer server;

    /** A node with the defaults. */
    public BrowserAndServer() {
        this(b -> b);
    }

    public BrowserAndServer(UnaryOperator<RoomcastConfig.Builder> settings) {
        this.settings = settings;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        browser = HeadlessChromium.start();
        server = TestServer.start(settings);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    public HeadlessChromium browser() {
        return browser;
    }

    public WebDriver driver() {
        return browser.driver();
    }

    public TestServer server() {
        return server;
    }
}
