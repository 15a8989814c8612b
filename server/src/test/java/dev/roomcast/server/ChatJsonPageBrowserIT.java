package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roomcast.testing.HeadlessChromium;
import dev.roomcast.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * /chat.html, the JSON protocol's chat page built on roomcast.js, in headless Chromium: two users
 * in two tabs see each other's messages and presence, send a direct message, and markup in a
 * message is shown as text and runs nothing.
 */
@Tag("browser")
@Timeout(180)
class ChatJsonPageBrowserIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private static TestServer server;
    private static HeadlessChromium browser;
    private static WebDriver driver;

    @BeforeAll
    static void startServerAndBrowser() throws IOException {
        browser = HeadlessChromium.start();
        driver = browser.driver();
        server = TestServer.start();
    }

    @AfterAll
    static void stopBrowserAndServer() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void twoUsersChatSeeEachOtherAndSendADirectMessageWithMarkupShownAsText() {
        String payload = "<img src=x onerror=alert(1)> hi";
        String ann = openTab("/chat.html?name=ann&room=browser-room");
        String bob = openTab("/chat.html?name=bob&room=browser-room");

        awaitListed(bob, "presence", "ann");
        awaitListed(bob, "presence", "bob");

        driver.switchTo().window(ann);
        driver.findElement(By.id("message-text")).sendKeys(payload, Keys.ENTER);
        awaitListed(ann, "messages", "ann" + payload);
        awaitListed(bob, "messages", "ann" + payload);

        driver.findElement(By.id("direct-to")).sendKeys("ann");
        driver.findElement(By.id("direct-text")).sendKeys("psst", Keys.ENTER);
        awaitListed(ann, "directs", "bob →psst");

        driver.switchTo().window(bob);
        driver.findElement(By.id("message-text")).sendKeys("after", Keys.ENTER);
        awaitListed(ann, "messages", "bobafter");
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(driver.findElements(By.tagName("img"))).as("no element was created from the text").isEmpty();
    }

    /** Opens {@code path} in a new tab and waits until its connection is open. */
    private static String openTab(String path) {
        driver.switchTo().newWindow(WindowType.TAB);
        driver.get(server.http(path).toString());
        new WebDriverWait(driver, WAIT).until(d -> "open".equals(d.findElement(By.id("status")).getDomAttribute("data-state")));
        return driver.getWindowHandle();
    }

    /** Switches to {@code tab} and waits until the list with id {@code listId} has an item reading {@code text}. */
    private static void awaitListed(String tab, String listId, String text) {
        driver.switchTo().window(tab);
        new WebDriverWait(driver, WAIT).withMessage(() -> listId + " never listed: " + text).until(d -> {
            List<String> items = d.findElements(By.cssSelector("#" + listId + " li")).stream()
                    .map(li -> li.getText().replace(" ", "").replace("\u00a0", "")).toList();
            return items.contains(text.replace(" ", ""));
        });
    }
}
