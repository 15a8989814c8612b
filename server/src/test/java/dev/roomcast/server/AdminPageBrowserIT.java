package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.BrowserAndServer;
import dev.roomcast.testing.RawHttp;
import dev.roomcast.testing.WsClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin page in headless Chromium, logged in with {@code --admin-password}: its live figures
 * follow real connections and traffic, the room inspector shows presence and the last messages, and
 * its form publishes into a room whose members receive the message. A screenshot of the page is kept
 * as a test artifact in {@code target/admin-page.png}.
 */
@Tag("browser")
@Timeout(180)
class AdminPageBrowserIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PASSWORD = "admin-pass-for-the-test";
    private static final Path SCREENSHOT = Path.of("target", "admin-page.png");

    @RegisterExtension
    static final BrowserAndServer env = new BrowserAndServer(
            b -> b.adminPassword(PASSWORD).allowedOrigins(List.of("https://app.example.com")));

    private final List<WsClient> clients = new ArrayList<>();

    private String text(String id) {
        return env.driver().findElement(By.id(id)).getText();
    }

    private void awaitText(String id, String expected) {
        new WebDriverWait(env.driver(), WAIT).withMessage(() -> "#" + id + " shows '" + text(id) + "', not '" + expected + "'")
                .until(d -> text(id).contains(expected));
    }

    @Test
    void theAdminPageShowsLiveFiguresInspectsARoomAndPublishesIntoIt() throws IOException {
        WsClient ann = WsClient.connect(env.server().ws("/ws/lobby"));
        WsClient bob = WsClient.connect(env.server().ws("/ws/lobby"));
        WsClient carl = WsClient.connect(env.server().ws("/ws/quiet"));
        clients.addAll(List.of(ann, bob, carl));
        ann.send("first");
        ann.send("second");
        assertThat(bob.next(2)).containsExactly("Message from lobby: first", "Message from lobby: second");
        assertThat(ann.next(2)).as("the sender gets its own messages too").containsExactly(
                "Message from lobby: first", "Message from lobby: second");
        RawHttp.Response refused = RawHttp.send(env.server().port(), "GET", "/ws/lobby",
                RawHttp.upgradeHeaders() + "Origin: https://evil.example\r\n");
        assertThat(refused.status()).isEqualTo(403);

        // What a browser does once its user has answered the login prompt: it sends the credentials with
        // every request to the site, the page's own fetches included. Chromium does not do that for
        // credentials typed into the URL, so they are set here as a header for every request.
        String basic = Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        ChromeDriver chromium = (ChromeDriver) env.driver();
        chromium.executeCdpCommand("Network.enable", Map.of());
        chromium.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Authorization", "Basic " + basic)));
        // Tall enough for the whole page in the screenshot.
        env.driver().manage().window().setSize(new Dimension(1280, 1100));
        env.driver().get(env.server().http("/admin").toString());

        awaitText("connections", "3");
        awaitText("rooms", "2");
        awaitText("status", "up ");
        new WebDriverWait(env.driver(), WAIT).until(d -> !text("latency-p99").equals("–"));
        assertThat(text("latency-p99")).matches("[0-9.]+ (µs|ms|s)");
        assertThat(env.driver().findElement(By.id("refused")).getText()).contains("origin 1");
        assertThat(env.driver().findElement(By.id("nodes")).getText()).contains("(this one) 3");
        // The page replaces the rows at every refresh: read them in one call, and click the button the page
        // shows at the moment of the click, so that a refresh in between cannot leave a stale element.
        List<String> topRooms = text("top-rooms").lines().toList();
        assertThat(topRooms).containsExactly("lobby 2", "quiet 1");

        new WebDriverWait(env.driver(), WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
            d.findElement(By.xpath("//tbody[@id='top-rooms']//button[text()='lobby']")).click();
            return true;
        });
        awaitText("inspect-title", "lobby");
        new WebDriverWait(env.driver(), WAIT).until(d -> env.driver().findElements(By.cssSelector("#history li")).size() == 2);
        assertThat(text("history")).contains("first").contains("second");
        assertThat(text("presence")).contains("guest-");

        env.driver().findElement(By.id("publish-room")).sendKeys("lobby");
        env.driver().findElement(By.id("publish-text")).sendKeys("from the admin page");
        env.driver().findElement(By.xpath("//form[@id='publish-form']/button")).click();
        awaitText("publish-result", "published to lobby at offset 3");
        assertThat(ann.next()).isEqualTo("Message from lobby: from the admin page");
        assertThat(bob.next()).isEqualTo("Message from lobby: from the admin page");
        new WebDriverWait(env.driver(), WAIT).until(d -> env.driver().findElements(By.cssSelector("#history li")).size() == 3);

        Files.createDirectories(SCREENSHOT.getParent());
        Path shot = ((TakesScreenshot) env.driver()).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(1000);
        clients.forEach(WsClient::close);
    }
}
