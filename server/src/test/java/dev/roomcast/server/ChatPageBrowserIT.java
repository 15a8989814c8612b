package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roomcast.testing.BrowserAndServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in headless Chromium against a server on a random port: two tabs of one room
 * chat through the Send button and through Enter, the global chat works without {@code ?room},
 * and markup in a message or a room name is shown as text and runs nothing.
 *
 * <p>The browser is {@link HeadlessChromium}: Debian's Chromium at a fixed path, so Selenium never downloads a
 * browser or driver. Missing, it is skipped locally and fails in CI ({@code -Droomcast.require=browser}).
 */
@Tag("browser")
@Timeout(180)
class ChatPageBrowserIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final BrowserAndServer env = new BrowserAndServer();
    /** The blank tab the browser starts with; it stays open between tests. */
    private static String firstTab;
    private final List<String> openedTabs = new ArrayList<>();

    @BeforeAll
    static void rememberTheFirstTab() {
        firstTab = env.driver().getWindowHandle();
    }

    @BeforeEach
    void serverIsNotOnTheTutorialsPort() {
        // The page must find the server through its own location, not a hard-coded localhost:8000.
        assertThat(env.server().port()).isNotEqualTo(8000);
    }

    @AfterEach
    void closeTheTestsTabs() {
        for (String tab : openedTabs) {
            env.driver().switchTo().window(tab);
            dismissAlerts();
            env.driver().close();
        }
        env.driver().switchTo().window(firstTab);
    }

    @Test
    void twoTabsInTheLobbyChatThroughTheSendButtonAndThroughEnter() {
        String alice = openTab("/?room=lobby");
        String bob = openTab("/?room=lobby");

        env.driver().switchTo().window(alice);
        env.driver().findElement(By.id("messageText")).sendKeys("hello from the button");
        env.driver().findElement(By.xpath("//button[normalize-space()='Send']")).click();
        awaitLogLine(alice, "Message from lobby: hello from the button");
        assertThat(env.driver().findElement(By.id("messageText")).getDomProperty("value")).as("input cleared").isEmpty();
        awaitLogLine(bob, "Message from lobby: hello from the button");

        env.driver().switchTo().window(bob);
        env.driver().findElement(By.id("messageText")).sendKeys("hello from enter", Keys.ENTER);
        awaitLogLine(bob, "Message from lobby: hello from enter");
        awaitLogLine(alice, "Message from lobby: hello from enter");
    }

    @Test
    void withoutARoomThePageTalksToTheGlobalChat() {
        String tab = openTab("/");
        env.driver().findElement(By.id("messageText")).sendKeys("hello everyone", Keys.ENTER);
        awaitLogLine(tab, "Message: hello everyone");
    }

    @Test
    void markupInAMessageOrARoomNameIsShownAsTextAndRunsNothing() {
        String room = "<img src=x onerror=alert(2)>";
        String payload = "<img src=x onerror=alert(1)>";
        String tab = openTab("/?room=" + URLEncoder.encode(room, StandardCharsets.UTF_8));
        env.driver().findElement(By.id("messageText")).sendKeys(payload, Keys.ENTER);
        awaitLogLine(tab, "Message from " + room + ": " + payload);
        // A later message has arrived after it, so a failed image load would have fired by now.
        env.driver().findElement(By.id("messageText")).sendKeys("after", Keys.ENTER);
        awaitLogLine(tab, "Message from " + room + ": after");

        assertThatThrownBy(() -> env.driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(env.driver().findElements(By.tagName("img"))).as("no element was created from the text").isEmpty();
        assertThat(env.driver().findElement(By.id("status")).getText()).contains(room);
    }

    /** Only after a failed test: an open alert would block every later command, and one may follow another. */
    private static void dismissAlerts() {
        for (int i = 0; i < 10; i++) {
            try {
                env.driver().switchTo().alert().dismiss();
            } catch (NoAlertPresentException expected) {
                return;
            }
        }
    }

    /** Opens {@code path} in a new tab and waits until the page's socket is open. */
    private String openTab(String path) {
        env.driver().switchTo().newWindow(WindowType.TAB);
        openedTabs.add(env.driver().getWindowHandle());
        env.driver().get(env.server().http(path).toString());
        new WebDriverWait(env.driver(), WAIT).until(d -> "open".equals(d.findElement(By.id("status")).getDomAttribute("data-state")));
        return env.driver().getWindowHandle();
    }

    /** Switches to {@code tab} and waits until its chat log holds {@code line}. */
    private void awaitLogLine(String tab, String line) {
        env.driver().switchTo().window(tab);
        new WebDriverWait(env.driver(), WAIT).withMessage(() -> "chat log of tab " + tab + " never showed: " + line)
                .until(d -> logLines(d).contains(line));
    }

    /** The lines of the chat log, whatever element the page uses for it. */
    private static List<String> logLines(WebDriver d) {
        WebElement log = d.findElement(By.id("chat-log"));
        String text = "textarea".equals(log.getTagName()) ? log.getDomProperty("value") : log.getText();
        return List.of(text.split("\n"));
    }
}
