package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.BrowserAndServer;
import dev.roomcast.testing.ChatPage;
import dev.roomcast.testing.JsonWs;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * /chat.html, the full chat on roomcast.js, in headless Chromium against one in-memory node: two
 * users in two rooms (messages, unread counts, presence, a direct message, markup shown as text),
 * the typing indicator, a reload in the middle of a conversation, older history, the remembered name,
 * keyboard-only use and a phone-sized screen. Screenshots are kept in target/screenshots.
 */
@Tag("browser")
@Timeout(240)
class ChatAppBrowserIT {

    @RegisterExtension
    static final BrowserAndServer env = new BrowserAndServer();

    @AfterEach
    void closeTheTestsTabs() {
        env.browser().closeOtherTabs();
    }


    private static String url(String path) {
        return env.server().http(path).toString();
    }

    private static void publish(String room, String from, String text) {
        env.server().node().publish(room, from, text).toCompletableFuture().join();
    }

    @Test
    void twoUsersInTwoRoomsSeeMessagesUnreadCountsPresenceAndADirectMessage() {
        ChatPage ann = ChatPage.openConnected(env.driver(), url("/chat.html?name=ann&room=alpha"));
        ann.join("beta");
        ChatPage bob = ChatPage.openConnected(env.driver(), url("/chat.html?name=bob&room=alpha"));
        bob.join("beta");

        ann.await("bob listed in #beta", d -> ann.presence().contains("bob"));
        assertThat(ann.presence()).containsExactly("ann (you)", "bob");
        ann.awaitNotice("bob joined.");

        bob.select("#alpha");
        bob.send("hello alpha");
        ann.await("one unread in #alpha", d -> ann.conversations().contains("#alpha (1)"));
        assertThat(ann.conversations()).containsExactly("#alpha (1)", "#beta");

        bob.select("#beta");
        bob.send("hi beta");
        ann.awaitMessage("bob: hi beta");
        assertThat(ann.conversations()).as("the shown room does not count as unread").containsExactly("#alpha (1)", "#beta");

        ann.select("#alpha");
        assertThat(ann.conversations()).containsExactly("#alpha", "#beta");
        ann.awaitMessage("bob: hello alpha");
        String markup = "<img src=x onerror=alert(1)> <b>bold</b>";
        ann.send(markup);
        ann.awaitMessage("ann: " + markup);

        ann.openDirect("bob");
        ann.send("psst, just you");
        ann.awaitMessage("ann: psst, just you");
        bob.await("an unread direct message from ann", d -> bob.conversations().contains("@ann (1)"));
        bob.select("@ann");
        bob.awaitMessage("ann: psst, just you");
        bob.send("got it");
        ann.awaitMessage("bob: got it");

        bob.select("#beta");
        bob.focus().findElement(By.id("leave")).click();
        ann.select("#beta");
        ann.awaitNotice("bob left.");
        ann.await("bob gone from #beta", d -> ann.presence().equals(List.of("ann (you)")));

        bob.select("#alpha");
        bob.awaitMessage("ann: " + markup);
        assertThatThrownBy(() -> env.driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(bob.focus().findElements(By.cssSelector("#messages img, #messages b"))).as("no element made from a message").isEmpty();
        assertThat(bob.messages()).containsExactly("bob: hello alpha", "ann: " + markup);
        env.browser().screenshot("ChatAppBrowserIT-two-users-bob");
        ann.select("#alpha");
        env.browser().screenshot("ChatAppBrowserIT-two-users-ann");
    }

    @Test
    void typingIsShownToTheOthersOnlyClearsByItselfOrWithTheMessageAndNeverEntersTheHistory() throws Exception {
        ChatPage kim = ChatPage.openConnected(env.driver(), url("/chat.html?name=kim&room=typing"));
        ChatPage lou = ChatPage.openConnected(env.driver(), url("/chat.html?name=lou&room=typing"));
        kim.await("lou listed in #typing", d -> kim.presence().contains("lou"));

        kim.type("hmm");
        lou.await("'kim is typing…'", d -> lou.typing().equals("kim is typing…"));
        env.browser().screenshot("ChatAppBrowserIT-typing");
        assertThat(kim.typing()).as("kim is not told that she is typing").isEmpty();
        lou.await("the typing line cleared once kim stopped", d -> lou.typing().isEmpty());

        kim.type(", yes");
        lou.await("'kim is typing…' again", d -> lou.typing().equals("kim is typing…"));
        kim.send("!");
        lou.awaitMessage("kim: hmm, yes!");
        assertThat(lou.typing()).as("cleared by kim's message").isEmpty();
        assertThat(lou.messages()).as("no typing notice shown as a message").containsExactly("kim: hmm, yes!");
        assertThat(kim.messages()).containsExactly("kim: hmm, yes!");

        lou.navigate(url("/chat.html"));
        lou.awaitStatus("open");
        lou.awaitMessage("kim: hmm, yes!");
        assertThat(lou.messages()).as("after a reload").containsExactly("kim: hmm, yes!");
        HttpResponse<String> history = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(env.server().http("/v1/rooms/typing/history")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode stored = JsonWs.JSON.readTree(history.body()).path("messages");
        assertThat(stored).as("the room's history: %s", stored).hasSize(1);
        assertThat(stored.get(0).path("text").asText()).isEqualTo("hmm, yes!");
    }

    @Test
    void aReloadInTheMiddleOfAConversationKeepsTheRoomsAndShowsEveryMessageOnce() {
        ChatPage cy = ChatPage.openConnected(env.driver(), url("/chat.html?name=cy"));
        cy.join("reload-one");
        cy.join("reload-two");
        for (int i = 1; i <= 3; i++) {
            publish("reload-two", "dee", "before " + i);
        }
        cy.awaitMessage("dee: before 3");

        cy.navigate("about:blank");                                     // the page is gone...
        publish("reload-two", "dee", "while away 1");
        publish("reload-two", "dee", "while away 2");
        publish("reload-one", "dee", "in the other room");
        cy.navigate(url("/chat.html"));                                 // ...and back, with no ?name or ?room
        cy.awaitStatus("open");
        cy.awaitMessage("dee: while away 2");
        cy.awaitNotice("2 missed message(s) recovered");
        assertThat(cy.title()).isEqualTo("#reload-two");
        assertThat(cy.conversations()).as("the same rooms, the one with news marked")
                .containsExactly("#lobby", "#reload-one (1)", "#reload-two");
        publish("reload-two", "dee", "live");
        cy.awaitMessage("dee: live");
        assertThat(cy.messages()).containsExactly("dee: before 1", "dee: before 2", "dee: before 3",
                "dee: while away 1", "dee: while away 2", "dee: live");
        env.browser().screenshot("ChatAppBrowserIT-after-reload");
        cy.select("#reload-one");
        cy.awaitMessage("dee: in the other room");
        assertThat(cy.messages()).containsExactly("dee: in the other room");
    }

    @Test
    void aRoomShowsItsRecentHistoryOnJoinAndLoadsOlderMessagesUpToItsBeginning() {
        IntStream.rangeClosed(1, 70).forEach(i -> publish("long-room", "eve", "line " + i));
        ChatPage fay = ChatPage.openConnected(env.driver(), url("/chat.html?name=fay&room=long-room"));
        fay.awaitMessage("eve: line 70");
        assertThat(fay.messages()).hasSize(50).first().isEqualTo("eve: line 21");

        fay.focus().findElement(By.id("load-older")).click();
        fay.await("all 70 lines", d -> fay.messages().size() == 70);
        assertThat(fay.messages()).first().isEqualTo("eve: line 1");
        fay.awaitNotice("This is the beginning of #long-room.");
        assertThat(fay.focus().findElement(By.id("load-older")).isDisplayed()).isFalse();
    }

    @Test
    void theNameIsAskedOnceAndRememberedForTheNextVisit() {
        ChatPage first = ChatPage.open(env.driver(), url("/chat.html"));
        first.script("localStorage.clear(); sessionStorage.clear(); location.reload();");
        first.await("the name prompt", d -> d.findElement(By.id("login-name")).isDisplayed());
        assertThat(first.focus().switchTo().activeElement().getDomAttribute("id")).isEqualTo("login-name");
        env.browser().screenshot("ChatAppBrowserIT-name-prompt");
        first.focus().findElement(By.id("login-name")).sendKeys("gus", Keys.ENTER);
        first.awaitStatus("open");
        first.await("signed in as gus", d -> d.findElement(By.id("me")).getText().equals("gus"));

        ChatPage later = ChatPage.openConnected(env.driver(), url("/chat.html"));
        assertThat(later.focus().findElement(By.id("me")).getText()).isEqualTo("gus");
        assertThat(later.focus().findElement(By.id("login")).isDisplayed()).isFalse();
    }

    @Test
    void withTheKeyboardAloneAUserJoinsARoomAndSendsAMessage() {
        ChatPage hal = ChatPage.openConnected(env.driver(), url("/chat.html?name=hal"));
        hal.await("#lobby shown", d -> hal.title().equals("#lobby"));
        WebElement roomName = tabTo(hal, Keys.TAB, e -> "room-name".equals(e.getDomAttribute("id")));
        roomName.sendKeys("keys-only", Keys.ENTER);
        hal.await("#keys-only shown", d -> hal.title().equals("#keys-only"));
        WebElement focused = env.driver().switchTo().activeElement();
        assertThat(focused.getDomAttribute("id")).as("focus moves to the message box").isEqualTo("message-text");
        focused.sendKeys("typed, never clicked", Keys.ENTER);
        hal.awaitMessage("hal: typed, never clicked");

        // Back through the page to the room list: rooms are buttons, and the focused one is outlined.
        tabTo(hal, SHIFT_TAB, e -> e.getText().contains("lobby") && "BUTTON".equalsIgnoreCase(e.getTagName()));
        assertThat(hal.script("return getComputedStyle(document.activeElement).outlineStyle")).isNotEqualTo("none");
        env.browser().screenshot("ChatAppBrowserIT-keyboard-focus");
        new Actions(env.driver()).sendKeys(Keys.ENTER).perform();
        hal.await("#lobby shown", d -> hal.title().equals("#lobby"));
    }

    private static final CharSequence SHIFT_TAB = Keys.chord(Keys.SHIFT, Keys.TAB);

    /** Presses {@code key} until the focused element is {@code wanted}; fails after 40 presses. */
    private static WebElement tabTo(ChatPage page, CharSequence key, Predicate<WebElement> wanted) {
        page.focus();
        for (int presses = 0; presses < 40; presses++) {
            new Actions(env.driver()).sendKeys(key).perform();
            WebElement focused = env.driver().switchTo().activeElement();
            if (wanted.test(focused)) {
                return focused;
            }
        }
        throw new AssertionError("the keyboard never reached the element");
    }

    @Test
    void onAPhoneScreenNeitherPageScrollsSidewaysAndSendIsWithinReach() {
        for (String path : List.of("/?room=phone", "/chat.html?name=ivy&room=phone")) {
            ChatPage phone = ChatPage.open(env.driver(), url(path));
            env.browser().viewport(390, 844);
            phone.navigate(url(path));
            phone.awaitStatus("open");
            assertThat(phone.script("return window.innerWidth")).isEqualTo(390L);
            assertThat(phone.script("return document.documentElement.scrollWidth")).as("%s is wider than the screen", path)
                    .isEqualTo(390L);
            WebElement send = phone.focus().findElement(By.xpath("//button[normalize-space()='Send']"));
            phone.script("document.evaluate(\"//button[normalize-space()='Send']\", document, null, 9, null)"
                    + ".singleNodeValue.scrollIntoView()");
            assertThat(send.getRect().getX() + send.getRect().getWidth()).as("Send's right edge").isLessThanOrEqualTo(390);
            String input = path.startsWith("/chat") ? "message-text" : "messageText";
            phone.focus().findElement(By.id(input)).sendKeys("from a phone");
            send.click();
            phone.await("the message shown", d -> {
                WebElement log = d.findElement(By.id(path.startsWith("/chat") ? "messages" : "chat-log"));
                String shown = log.getTagName().equals("textarea") ? log.getDomProperty("value") : log.getText();
                return shown.contains("from a phone");
            });
            env.browser().screenshot("ChatAppBrowserIT-phone" + (path.startsWith("/chat") ? "-chat" : "-tutorial"));
        }
    }
}
