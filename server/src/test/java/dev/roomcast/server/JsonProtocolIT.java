package dev.roomcast.server;

import static dev.roomcast.testing.JsonWs.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roomcast.testing.JsonWs;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JSON protocol v1 on /v1/ws over real sockets, request by request, as docs/protocol.md specifies it. */
@Timeout(60)
class JsonProtocolIT {

    private static final AtomicInteger ROOMS = new AtomicInteger();
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final int MAX_TEXT_BYTES = 1000;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(b -> b.maxTextBytes(MAX_TEXT_BYTES));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String uniqueRoom() {
        return "json-" + ROOMS.incrementAndGet();
    }

    private static void assertFrame(JsonNode frame, String type, Object... keysAndValues) {
        assertThat(frame.path("type").asText()).as("%s", frame).isEqualTo(type);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            assertThat(frame.get((String) keysAndValues[i])).as("%s in %s", keysAndValues[i], frame)
                    .isEqualTo(JsonWs.JSON.valueToTree(keysAndValues[i + 1]));
        }
    }

    private static void assertError(JsonNode frame, String ref, String code) {
        assertFrame(frame, "error", "code", code);
        if (ref == null) {
            assertThat(frame.has("ref")).as("no ref in %s", frame).isFalse();
        } else {
            assertThat(frame.path("ref").asText()).isEqualTo(ref);
        }
        assertThat(frame.path("message").asText()).isNotBlank();
    }

    /** Sends a ping and expects its ok: proves the connection is still open and in order. */
    private static void assertStillOpen(JsonWs client) {
        client.ok("still-open", "type", "ping");
    }

    @Test
    void welcomeNamesTheSessionTheUserAndTheNode() {
        try (JsonWs named = JsonWs.connect(server, "ann"); JsonWs guest = JsonWs.connect(server)) {
            assertFrame(named.welcome(), "welcome", "user", "ann", "name", "ann");
            assertThat(named.welcome().path("session").asText()).isNotBlank();
            assertThat(named.welcome().path("node").asText()).isNotBlank();
            assertThat(guest.user()).matches("guest-\\d{4}");
            assertThat(guest.welcome().path("session").asText()).isNotEqualTo(named.welcome().path("session").asText());
            assertThat(guest.welcome().path("node")).isEqualTo(named.welcome().path("node"));
        }
    }

    @Test
    void pingIsAnsweredWithOkAndItsRef() {
        try (JsonWs client = JsonWs.connect(server)) {
            JsonNode ok = client.ok("p1", "type", "ping");
            assertThat(ok.size()).as("only type and ref: %s", ok).isEqualTo(2);
        }
    }

    @Test
    void joinAnswersWithTheRoomsPositionAndAnnouncesTheUser() {
        String room = uniqueRoom();
        try (JsonWs ann = JsonWs.connect(server, "ann"); JsonWs bob = JsonWs.connect(server, "bob")) {
            JsonNode ok = ann.join(room);
            assertFrame(ok, "ok", "room", room, "offset", 0);
            assertThat(ok.path("epoch").asText()).isNotBlank();
            assertFrame(ann.next(), "joined", "room", room, "user", "ann");

            bob.join(room);
            assertFrame(bob.next(), "joined", "room", room, "user", "bob");
            assertFrame(ann.next(), "joined", "room", room, "user", "bob");
        }
    }

    @Test
    void publishReachesEveryMemberWithItsPositionAndTheSenderGetsOk() {
        String room = uniqueRoom();
        try (JsonWs ann = JsonWs.connect(server, "ann"); JsonWs bob = JsonWs.connect(server, "bob");
             JsonWs outsider = JsonWs.connect(server, "cid")) {
            String epoch = ann.join(room).get("epoch").asText();
            ann.next();
            bob.join(room);
            bob.next();
            ann.next();

            JsonNode ok = ann.ok("m1", "type", "publish", "room", room, "text", "hello <b>all</b>");
            assertFrame(ok, "ok", "room", room, "epoch", epoch, "offset", 1);
            for (JsonWs member : new JsonWs[] {ann, bob}) {
                JsonNode message = member.next();
                assertFrame(message, "message", "room", room, "epoch", epoch, "offset", 1, "from", "ann",
                        "text", "hello <b>all</b>");
                assertThat(message.get("ts").asLong()).isPositive();
            }
            assertThat(outsider.poll(QUIET)).isNull();
        }
    }

    @Test
    void leaveStopsDeliveryAndTellsTheOthers() {
        String room = uniqueRoom();
        try (JsonWs ann = JsonWs.connect(server, "ann"); JsonWs bob = JsonWs.connect(server, "bob")) {
            ann.join(room);
            ann.next();
            bob.join(room);
            bob.next();
            ann.next();

            bob.ok("l1", "type", "leave", "room", room);
            assertFrame(ann.next(), "left", "room", room, "user", "bob");
            ann.ok("m", "type", "publish", "room", room, "text", "after");
            assertFrame(ann.next(), "message", "text", "after");
            assertThat(bob.poll(QUIET)).isNull();
        }
    }

    @Test
    void everyMalformedRequestGetsItsErrorCodeAndTheConnectionStaysOpen() {
        String room = uniqueRoom();
        try (JsonWs client = JsonWs.connect(server, "ann")) {
            client.sendRaw("{not json");
            assertError(client.next(), null, "bad_json");
            client.sendRaw("[1,2]");
            assertError(client.next(), null, "bad_json");
            client.sendRaw("{\"type\":\"ping\"} {\"type\":\"ping\"}");
            assertError(client.next(), null, "bad_json");
            client.send("type", "shout", "ref", "r1");
            assertError(client.next(), "r1", "unknown_type");
            client.send("ref", "r2");
            assertError(client.next(), "r2", "missing_field");
            client.send("type", "join", "ref", "r3");
            assertError(client.next(), "r3", "missing_field");
            client.send("type", "publish", "room", room, "ref", "r4");
            assertError(client.next(), "r4", "missing_field");
            client.send("type", "join", "room", 42, "ref", "r5");
            assertError(client.next(), "r5", "invalid_field");
            client.send("type", "join", "room", room, "history", -1, "ref", "r6");
            assertError(client.next(), "r6", "invalid_field");
            client.send("type", "join", "room", room, "since", obj("epoch", "x"), "ref", "r7");
            assertError(client.next(), "r7", "invalid_field");
            client.send("type", "ping", "ref", 7);
            assertError(client.next(), null, "invalid_field");
            client.send("type", "join", "room", "a/b", "ref", "r8");
            assertError(client.next(), "r8", "invalid_room");
            client.send("type", "join", "room", "", "ref", "r9");
            assertError(client.next(), "r9", "invalid_room");
            client.send("type", "join", "room", "$secret", "ref", "r10");
            assertError(client.next(), "r10", "invalid_room");
            assertStillOpen(client);
        }
    }

    @Test
    void membershipErrorsAreAnsweredNotClosed() {
        String room = uniqueRoom();
        try (JsonWs client = JsonWs.connect(server, "ann")) {
            client.send("type", "publish", "room", room, "text", "hi", "ref", "p");
            assertError(client.next(), "p", "not_joined");
            client.send("type", "leave", "room", room, "ref", "l");
            assertError(client.next(), "l", "not_joined");
            client.join(room);
            client.next();
            client.send("type", "join", "room", room, "ref", "again");
            assertError(client.next(), "again", "already_joined");
            assertStillOpen(client);
        }
    }

    @Test
    void textOverTheLimitIsRefusedWithTextTooLong() {
        String room = uniqueRoom();
        try (JsonWs client = JsonWs.connect(server, "ann")) {
            client.join(room);
            client.next();
            client.send("type", "publish", "room", room, "text", "é".repeat(MAX_TEXT_BYTES / 2 + 1), "ref", "big");
            assertError(client.next(), "big", "text_too_long");
            client.send("type", "direct", "to", "ann", "text", "x".repeat(MAX_TEXT_BYTES + 1), "ref", "bigd");
            assertError(client.next(), "bigd", "text_too_long");
            JsonNode ok = client.ok("fits", "type", "publish", "room", room, "text", "é".repeat(MAX_TEXT_BYTES / 2));
            assertThat(ok.get("offset").asLong()).isEqualTo(1);
            assertFrame(client.next(), "message", "offset", 1);
        }
    }

    @Test
    void aBinaryFrameIsProtocolAbuseAndCloses1003() {
        try (JsonWs client = JsonWs.connect(server)) {
            client.raw().sendBinary(new byte[] {1, 2, 3});
            assertThat(client.raw().awaitClose().code()).isEqualTo(1003);
        }
    }

    @Test
    void aFrameOverTheMessageLimitCloses1009() {
        try (TestServer small = TestServer.start(b -> b.maxMessageBytes(2048).maxTextBytes(1024));
             JsonWs client = JsonWs.connect(small)) {
            client.send("type", "ping", "ref", "x".repeat(3000));
            assertThat(client.raw().awaitClose().code()).isEqualTo(1009);
        }
    }

    @Test
    void presenceCountsAUsersSessionsAsOneEntryAndAnnouncesOnlyFirstAndLast() {
        String room = uniqueRoom();
        try (JsonWs observer = JsonWs.connect(server, "obs")) {
            observer.join(room);
            assertFrame(observer.next(), "joined", "user", "obs");
            JsonWs tab1 = JsonWs.connect(server, "ann");
            JsonWs tab2 = JsonWs.connect(server, "ann");
            JsonWs tab3 = JsonWs.connect(server, "ann");
            tab1.join(room);
            assertFrame(observer.next(), "joined", "room", room, "user", "ann");
            tab2.join(room);
            tab3.join(room);
            assertThat(observer.poll(QUIET)).as("no second joined for ann").isNull();

            observer.send("type", "presence", "room", room, "ref", "who");
            assertFrame(observer.next(), "presence", "ref", "who", "room", room, "users",
                    JsonWs.JSON.createArrayNode()
                            .add(obj("user", "ann", "sessions", 3))
                            .add(obj("user", "obs", "sessions", 1)));

            tab1.close();
            tab2.ok("bye", "type", "leave", "room", room);
            assertThat(observer.poll(QUIET)).as("ann still has a session").isNull();
            tab3.close();
            assertFrame(observer.next(), "left", "room", room, "user", "ann");

            observer.send("type", "presence", "room", room, "ref", "who2");
            assertFrame(observer.next(), "presence", "users", JsonWs.JSON.createArrayNode().add(obj("user", "obs", "sessions", 1)));
            tab2.close();
        }
    }

    @Test
    void presenceIsReadPageByPageWithLimitAndCursor() {
        String room = uniqueRoom();
        try (JsonWs ann = JsonWs.connect(server, "ann"); JsonWs bob = JsonWs.connect(server, "bob");
             JsonWs cid = JsonWs.connect(server, "cid")) {
            for (JsonWs member : List.of(ann, bob, cid)) {
                member.join(room);
            }
            ann.send("type", "presence", "room", room, "ref", "p1", "limit", 2);
            JsonNode first = ann.nextOfType("presence");
            assertFrame(first, "presence", "ref", "p1", "next", "bob", "users", JsonWs.JSON.createArrayNode()
                    .add(obj("user", "ann", "sessions", 1)).add(obj("user", "bob", "sessions", 1)));
            ann.send("type", "presence", "room", room, "ref", "p2", "limit", 2, "cursor", first.get("next").asText());
            JsonNode last = ann.nextOfType("presence");
            assertFrame(last, "presence", "ref", "p2", "users", JsonWs.JSON.createArrayNode().add(obj("user", "cid", "sessions", 1)));
            assertThat(last.has("next")).as("the last page has no next").isFalse();

            ann.send("type", "presence", "room", room, "ref", "p3", "limit", 0);
            assertFrame(ann.nextOfType("error"), "error", "ref", "p3", "code", "invalid_field");
        }
    }

    @Test
    void presenceOfAnEmptyRoomIsAnEmptyList() {
        try (JsonWs client = JsonWs.connect(server)) {
            client.send("type", "presence", "room", uniqueRoom(), "ref", "e");
            assertFrame(client.next(), "presence", "ref", "e", "users", JsonWs.JSON.createArrayNode());
        }
    }

    @Test
    void directMessagesReachEverySessionOfTheUserAndNobodyElse() {
        try (JsonWs ann1 = JsonWs.connect(server, "dm-ann"); JsonWs ann2 = JsonWs.connect(server, "dm-ann");
             JsonWs bob = JsonWs.connect(server, "dm-bob"); JsonWs cid = JsonWs.connect(server, "dm-cid")) {
            bob.ok("d1", "type", "direct", "to", "dm-ann", "text", "psst");
            for (JsonWs tab : new JsonWs[] {ann1, ann2}) {
                JsonNode direct = tab.next();
                assertFrame(direct, "direct", "from", "dm-bob", "text", "psst");
                assertThat(direct.get("ts").asLong()).isPositive();
            }
            assertThat(cid.poll(QUIET)).isNull();
            assertThat(bob.poll(QUIET)).isNull();

            bob.send("type", "direct", "to", "dm-nobody", "text", "hello?", "ref", "d2");
            assertError(bob.next(), "d2", "no_such_user");
            ann1.close();
            ann2.close();
            org.awaitility.Awaitility.await().untilAsserted(() -> {
                bob.send("type", "direct", "to", "dm-ann", "text", "gone?", "ref", "d3");
                assertError(bob.next(), "d3", "no_such_user");
            });
        }
    }

    @Test
    void jsonAndTextMembersOfARoomHearEachOther() {
        String room = uniqueRoom();
        try (JsonWs json = JsonWs.connect(server, "jay"); WsClient text = WsClient.connect(server.ws("/ws/" + room))) {
            json.join(room);
            assertFrame(json.next(), "joined", "room", room, "user", "jay");

            json.ok("j", "type", "publish", "room", room, "text", "from json");
            assertThat(text.next()).isEqualTo("Message from " + room + ": from json");
            assertFrame(json.next(), "message", "text", "from json", "from", "jay");

            text.send("from text");
            assertThat(text.next()).isEqualTo("Message from " + room + ": from text");
            assertFrame(json.next(), "message", "room", room, "text", "from text", "offset", 2);
        }
    }

    @Test
    void theReservedGlobalRoomIsTheSlashWsChat() {
        try (WsClient text = WsClient.connect(server.ws("/ws")); JsonWs json = JsonWs.connect(server, "gina")) {
            json.join("$global");
            assertFrame(json.next(), "joined", "room", "$global", "user", "gina");

            json.ok("g", "type", "publish", "room", "$global", "text", "hello global");
            assertThat(text.next()).isEqualTo("Message: hello global");
            assertFrame(json.next(), "message", "room", "$global", "text", "hello global");

            text.send("hi json");
            assertThat(text.next()).isEqualTo("Message: hi json");
            assertFrame(json.next(), "message", "room", "$global", "text", "hi json");
        }
    }
}
