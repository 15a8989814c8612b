package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.config.RoomcastConfig;
import dev.roomcast.testing.ChatPage;
import dev.roomcast.testing.HeadlessChromium;
import dev.roomcast.testing.RedisTestSupport;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.Tokens;
import java.io.IOException;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * /chat.html when the server goes away or refuses it: after a restart on the Redis broker the page
 * shows every message it missed once; after a restart of an in-memory node it says the history was
 * lost; with JWT authentication a pasted token signs in, a bad token is reported once and not
 * retried, and an expired one sends the page back to signing in. Screenshots are kept in target/screenshots.
 */
@Tag("browser")
@Timeout(240)
class ChatAppRecoveryBrowserIT {

    private static HeadlessChromium browser;
    private static WebDriver driver;

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = HeadlessChromium.start();
        driver = browser.driver();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void closeTheTestsTabs() {
        browser.closeOtherTabs();
    }


    private static void publish(TestServer server, String room, String text) {
        server.node().publish(room, "sam", text).toCompletableFuture().join();
    }

    @Test
    @Tag("redis")
    void afterARestartOnTheRedisBrokerThePageShowsEveryMissedMessageOnce() {
        try (RedisTestSupport redis = RedisTestSupport.require()) {
            UnaryOperator<RoomcastConfig.Builder> onRedis = b -> b.broker(RedisTestSupport.URI).redisPrefix(redis.prefix());
            TestServer node = TestServer.start(onRedis);
            try (TestServer other = TestServer.start(onRedis)) {
                int port = node.port();
                ChatPage page = ChatPage.openConnected(driver, node.http("/chat.html?name=ray&room=redis-restart").toString());
                publish(other, "redis-restart", "before");
                page.awaitMessage("sam: before");

                node.close();
                page.await("the page says the server is unreachable", d -> page.status().contains("Server unreachable"));
                browser.screenshot("ChatAppRecoveryBrowserIT-server-gone");
                IntStream.rangeClosed(1, 5).forEach(i -> publish(other, "redis-restart", "missed " + i));
                node = TestServer.start(b -> onRedis.apply(b).port(port));

                page.awaitStatus("open");
                page.awaitMessage("sam: missed 5");
                page.awaitNotice("5 missed message(s) recovered");
                publish(other, "redis-restart", "after");
                page.awaitMessage("sam: after");
                assertThat(page.messages()).containsExactly("sam: before", "sam: missed 1", "sam: missed 2",
                        "sam: missed 3", "sam: missed 4", "sam: missed 5", "sam: after");
                browser.screenshot("ChatAppRecoveryBrowserIT-redis-recovered");
            } finally {
                node.close();
            }
        }
    }

    @Test
    void afterARestartOfAnInMemoryNodeThePageSaysTheHistoryWasLost() {
        TestServer node = TestServer.start();
        int port = node.port();
        try {
            ChatPage page = ChatPage.openConnected(driver, node.http("/chat.html?name=una&room=memory-restart").toString());
            publish(node, "memory-restart", "before");
            page.awaitMessage("sam: before");

            node.close();
            page.await("the page says the server is unreachable", d -> page.status().contains("Server unreachable"));
            node = TestServer.start(b -> b.port(port));
            publish(node, "memory-restart", "lost while away");

            page.awaitStatus("open");
            page.awaitNotice("The server lost this room's history");
            publish(node, "memory-restart", "after");
            page.awaitMessage("sam: after");
            assertThat(page.messages()).containsExactly("sam: before", "sam: after");
            assertThat(page.focus().findElement(By.cssSelector("#messages .notice.warning")).getText())
                    .contains("1 message(s)");
            browser.screenshot("ChatAppRecoveryBrowserIT-history-lost");
        } finally {
            node.close();
        }
    }

    @Test
    void whenTheTokenExpiresThePageSaysSoAndAsksForANewOneInsteadOfRetrying() {
        try (TestServer server = TestServer.start(b -> b.jwtSecret(Tokens.SECRET))) {
            String brief = Tokens.hs256("xia", Duration.ofSeconds(3), null);
            ChatPage page = ChatPage.openConnected(driver, server.http("/chat.html?token=" + brief).toString());
            page.awaitStatus("closed");
            assertThat(page.status()).isEqualTo("Your token expired: sign in again.");
            page.await("the sign-in form", d -> d.findElement(By.id("login-token")).isDisplayed());
            assertThat(page.focus().findElement(By.id("login-error")).getText()).isEqualTo("Your token expired: sign in again.");
        }
    }

    @Test
    void withJwtAPastedTokenSignsInAndABadTokenIsReportedOnceWithoutRetrying() {
        try (TestServer server = TestServer.start(b -> b.jwtSecret(Tokens.SECRET))) {
            ChatPage bad = ChatPage.open(driver, server.http("/chat.html?token=not-a-token").toString());
            bad.awaitStatus("closed");
            assertThat(bad.status()).startsWith("Your sign-in was refused:");
            assertThat(bad.focus().findElement(By.id("login-error")).getText()).startsWith("Your sign-in was refused:");
            assertThat(bad.focus().getCurrentUrl()).as("the token is taken out of the address bar").doesNotContain("not-a-token");
            assertThat(server.node().metrics().scrape()).as("one refused upgrade: the page did not retry")
                    .containsPattern("roomcast_upgrades_rejected_total\\{reason=\"unauthorized\",?} 1\\.0");
            browser.screenshot("ChatAppRecoveryBrowserIT-bad-token");

            ChatPage named = ChatPage.open(driver, server.http("/chat.html?name=val").toString());
            named.awaitStatus("closed");
            named.await("the token field offered", d -> d.findElement(By.id("login-token")).isDisplayed());
            assertThat(named.focus().findElement(By.id("login-error")).getText()).contains("This server needs an access token.");

            named.focus().findElement(By.id("login-token")).sendKeys(Tokens.hs256("wes", Duration.ofMinutes(10), null));
            named.focus().findElement(By.cssSelector("#login-form button[type=submit]")).click();
            named.awaitStatus("open");
            named.await("signed in as wes", d -> d.findElement(By.id("me")).getText().equals("wes"));
            named.send("signed in with a token");
            named.awaitMessage("wes: signed in with a token");
        }
    }
}
