package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The tutorial's endpoints over real sockets: its strings to the letter, who gets what, rooms apart. */
@Timeout(60)
class SeedEndpointsIT {

    private static final AtomicInteger ROOMS = new AtomicInteger();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String uniqueRoom() {
        return "seed-" + ROOMS.incrementAndGet();
    }

    @Test
    void echoAnswersTheSenderOnly() {
        try (WsClient a = WsClient.connect(server.ws("/echo")); WsClient b = WsClient.connect(server.ws("/echo"))) {
            a.send("hello");
            assertThat(a.next()).isEqualTo("Message text was: hello");
            assertThat(b.poll(Duration.ofMillis(300))).isNull();
        }
    }

    // The global chat is one room per server, and a /ws client closed at the end of an earlier
    // test may still be leaving it when the next test's clients join, which then get its
    // "Client left the chat". So each test that uses /ws has a server of its own.

    @Test
    void globalChatReachesEveryClientIncludingTheSender() {
        try (TestServer own = TestServer.start();
             WsClient a = WsClient.connect(own.ws("/ws")); WsClient b = WsClient.connect(own.ws("/ws"))) {
            a.send("hi all");
            assertThat(a.next()).isEqualTo("Message: hi all");
            assertThat(b.next()).isEqualTo("Message: hi all");
        }
    }

    @Test
    void leavingTheGlobalChatIsToldToTheOthers() {
        try (TestServer own = TestServer.start();
             WsClient leaver = WsClient.connect(own.ws("/ws")); WsClient stayer = WsClient.connect(own.ws("/ws"))) {
            leaver.close();
            assertThat(stayer.next()).isEqualTo("Client left the chat");
        }
    }

    @Test
    void roomMessagesCarryTheRoomName() {
        String room = uniqueRoom();
        try (WsClient a = WsClient.connect(server.ws("/ws/" + room)); WsClient b = WsClient.connect(server.ws("/ws/" + room))) {
            b.send("ping");
            assertThat(a.next()).isEqualTo("Message from " + room + ": ping");
            assertThat(b.next()).isEqualTo("Message from " + room + ": ping");
        }
    }

    @Test
    void leavingARoomIsToldToTheOthersOnly() {
        String room = uniqueRoom();
        WsClient leaver = WsClient.connect(server.ws("/ws/" + room));
        try (WsClient stayer = WsClient.connect(server.ws("/ws/" + room))) {
            leaver.close();
            assertThat(stayer.next()).isEqualTo("Client left the room " + room);
        }
    }

    @Test
    void roomsAreIsolatedFromEachOtherAndFromTheGlobalChat() {
        String red = uniqueRoom();
        String blue = uniqueRoom();
        try (TestServer own = TestServer.start();
             WsClient inRed = WsClient.connect(own.ws("/ws/" + red));
             WsClient inBlue = WsClient.connect(own.ws("/ws/" + blue));
             WsClient global = WsClient.connect(own.ws("/ws"))) {
            inRed.send("red only");
            assertThat(inRed.next()).isEqualTo("Message from " + red + ": red only");
            assertThat(inBlue.poll(Duration.ofMillis(300))).isNull();
            assertThat(global.poll(Duration.ofMillis(100))).isNull();
        }
    }

    @Test
    void roomNamesArePercentDecoded() {
        try (WsClient a = WsClient.connect(server.ws("/ws/caf%C3%A9%20bar"))) {
            a.send("x");
            assertThat(a.next()).isEqualTo("Message from café bar: x");
        }
    }

    @Test
    void anEmptiedRoomDisappears() {
        String room = uniqueRoom();
        WsClient only = WsClient.connect(server.ws("/ws/" + room));
        only.send("there");
        only.next();
        assertThat(server.node().hub().rooms()).containsKey(room);
        only.close();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> !server.node().hub().rooms().containsKey(room));
    }

    @Test
    void twoHundredClientsInTwentyRoomsGetExactlyTheirRoomsMessagesInSenderOrder() {
        int rooms = 20;
        int perRoom = 10;
        int messagesPerClient = 5;
        String prefix = uniqueRoom() + "-";
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int r = 0; r < rooms; r++) {
                for (int c = 0; c < perRoom; c++) {
                    clients.add(WsClient.connect(server.ws("/ws/" + prefix + r)));
                }
            }
            for (int i = 0; i < messagesPerClient; i++) {
                for (int n = 0; n < clients.size(); n++) {
                    clients.get(n).send("c" + n + " m" + i);
                }
            }
            int expected = perRoom * messagesPerClient;
            for (int n = 0; n < clients.size(); n++) {
                String room = prefix + (n / perRoom);
                List<String> got = clients.get(n).next(expected);
                Set<String> distinct = new HashSet<>(got);
                assertThat(distinct).as("duplicates for client %d", n).hasSize(expected);
                Map<String, Integer> lastSeenBySender = new HashMap<>();
                for (String line : got) {
                    assertThat(line).startsWith("Message from " + room + ": c");
                    String[] parts = line.substring(("Message from " + room + ": ").length()).split(" m");
                    int sender = Integer.parseInt(parts[0].substring(1));
                    assertThat(sender / perRoom).as("sender's room").isEqualTo(n / perRoom);
                    int seq = Integer.parseInt(parts[1]);
                    Integer previous = lastSeenBySender.put(parts[0], seq);
                    assertThat(seq).as("order from %s", parts[0]).isEqualTo(previous == null ? 0 : previous + 1);
                }
                assertThat(clients.get(n).poll(Duration.ofMillis(n == 0 ? 300 : 0))).isNull();
            }
        } finally {
            clients.forEach(WsClient::close);
        }
    }
}
