package dev.roomcast.testing;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One browser tab showing /chat.html, read and driven the way a person would: through its
 * visible controls, and read back from what it shows. Every method switches to the tab first.
 *
 * <p>Threading: not thread-safe; the test thread confines it.
 */
public final class ChatPage {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final WebDriver driver;
    private final String tab;

    private ChatPage(WebDriver driver, String tab) {
        this.driver = driver;
        this.tab = tab;
    }

    /** Opens {@code url} in a new tab, without waiting for anything. */
    public static ChatPage open(WebDriver driver, String url) {
        driver.switchTo().newWindow(WindowType.TAB);
        driver.get(url);
        return new ChatPage(driver, driver.getWindowHandle());
    }

    /** Opens {@code url} in a new tab and waits until the page is connected. */
    public static ChatPage openConnected(WebDriver driver, String url) {
        ChatPage page = open(driver, url);
        page.awaitStatus("open");
        return page;
    }

    /** Switches the browser to this tab and returns its driver. */
    public WebDriver focus() {
        driver.switchTo().window(tab);
        return driver;
    }

    /** Loads {@code url} in this tab (leaving the page, as a reload or a navigation does). */
    public void navigate(String url) {
        focus().get(url);
    }

    public void awaitStatus(String state) {
        await("status " + state, d -> state.equals(d.findElement(By.id("status")).getDomAttribute("data-state")));
    }

    public String status() {
        return focus().findElement(By.id("status")).getText();
    }

    /** Waits until {@code condition} holds in this tab. */
    public void await(String what, Function<WebDriver, Boolean> condition) {
        new WebDriverWait(focus(), WAIT).withMessage(() -> what + "; the page shows: " + summary()).until(condition::apply);
    }

    /** The shown conversation's messages as "from: text", oldest first (the sender also of grouped ones). */
    public List<String> messages() {
        return strings("return [...document.querySelectorAll('#messages .msg')]"
                + ".map(li => li.querySelector('.from').textContent + ': ' + li.querySelector('.text').textContent)");
    }

    /** The shown conversation's notices (presence, recovery, errors), oldest first. */
    public List<String> notices() {
        return strings("return [...document.querySelectorAll('#messages .notice')].map(li => li.textContent)");
    }

    /** The conversation list, rooms then direct messages, as "#room" or "@user" with " (N)" for N unread. */
    public List<String> conversations() {
        return strings("return [...document.querySelectorAll('li[data-key]')].map(li => li.dataset.key"
                + " + (li.querySelector('.badge') ? ' (' + li.querySelector('.badge').firstChild.textContent + ')' : ''))");
    }

    /** The users the presence panel lists. */
    public List<String> presence() {
        return strings("return [...document.querySelectorAll('#presence li .name')].map(n => n.textContent)");
    }

    /** The line under the conversation saying who is typing ("" when nobody is). */
    public String typing() {
        return focus().findElement(By.id("typing")).getText();
    }

    /** Types {@code text} in the message box without sending it. */
    public void type(String text) {
        focus().findElement(By.id("message-text")).sendKeys(text);
    }

    public String title() {
        return focus().findElement(By.id("conversation-title")).getText();
    }

    /** Types a room name into "Join a room" and presses Enter. */
    public void join(String room) {
        focus().findElement(By.id("room-name")).sendKeys(room, Keys.ENTER);
        await("#" + room + " shown", d -> title().equals("#" + room));
    }

    /** Clicks a conversation in the list: "#room" or "@user". */
    public void select(String key) {
        focus().findElement(By.cssSelector("li[data-key='" + key + "'] button")).click();
        await(key + " shown", d -> title().equals(key));
    }

    /** Opens the direct conversation with {@code user} through "Message someone". */
    public void openDirect(String user) {
        focus().findElement(By.id("direct-to")).sendKeys(user, Keys.ENTER);
        await("@" + user + " shown", d -> title().equals("@" + user));
    }

    /** Types {@code text} in the message box and presses Enter. */
    public void send(String text) {
        focus().findElement(By.id("message-text")).sendKeys(text, Keys.ENTER);
    }

    public void awaitMessage(String fromAndText) {
        await("message '" + fromAndText + "'", d -> messages().contains(fromAndText));
    }

    public void awaitNotice(String fragment) {
        await("a notice containing '" + fragment + "'", d -> notices().stream().anyMatch(n -> n.contains(fragment)));
    }

    /** Runs {@code script} in this tab and returns its result. */
    public Object script(String script) {
        return ((JavascriptExecutor) focus()).executeScript(script);
    }

    @SuppressWarnings("unchecked")
    private List<String> strings(String script) {
        return (List<String>) script(script);
    }

    private String summary() {
        try {
            return "status '" + status() + "', conversations " + conversations() + ", messages " + messages() + ", notices " + notices();
        } catch (RuntimeException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
