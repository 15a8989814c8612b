package dev.roomcast.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Java client's presence pages (limit and cursor) and a count room's occupancy, against a real server. */
@Timeout(60)
class PresencePagesIT {

    private static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(b -> b.namespaces(new Namespaces(Map.of("stage", new Namespace(Namespace.Publish.MEMBERS,
                PresenceMode.COUNT, false, null, null, Namespace.SlowConsumer.DISCONNECT, null)))));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static RoomcastClient connect(String name, Recorder recorder) {
        return RoomcastClient.builder(server.ws("/v1/ws")).name(name).listener(recorder).connect();
    }

    @Test
    void presenceIsReadPageByPageWithTheCursorOfTheLast() {
        List<RoomcastClient> clients = new ArrayList<>();
        try {
            for (String name : List.of("ann", "bob", "cid", "dee", "eve")) {
                Recorder recorder = new Recorder();
                RoomcastClient client = connect(name, recorder);
                clients.add(client);
                client.join("paged", recorder).join();
            }
            RoomcastClient ann = clients.get(0);
            List<String> users = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                Presence page = ann.presence("paged", 2, cursor).join();
                assertThat(page.isCount()).isFalse();
                assertThat(page.sessionsByUser().size()).isLessThanOrEqualTo(2);
                users.addAll(page.sessionsByUser().keySet());
                cursor = page.next();
                pages++;
            } while (cursor != null);
            assertThat(users).containsExactly("ann", "bob", "cid", "dee", "eve");
            assertThat(pages).isEqualTo(3);
            assertThat(ann.presence("paged").join().next()).isNull();
        } finally {
            clients.forEach(RoomcastClient::close);
        }
    }

    @Test
    void aCountRoomTellsTheListenerItsMemberCountAndPresenceAnswersWithIt() {
        Recorder ann = new Recorder();
        Recorder bob = new Recorder();
        try (RoomcastClient annClient = connect("ann", ann); RoomcastClient bobClient = connect("bob", bob)) {
            annClient.join("stage:main", ann).join();
            bobClient.join("stage:main", bob).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> ann.occupancy.contains(new Occupancy("stage:main", 2))
                    && bob.occupancy.contains(new Occupancy("stage:main", 2)));
            Presence count = annClient.presence("stage:main").join();
            assertThat(count.isCount()).isTrue();
            assertThat(count.members()).isEqualTo(2);
            assertThat(count.sessionsByUser()).isEmpty();

            bobClient.leave("stage:main").join();
            await().atMost(Duration.ofSeconds(10)).until(() -> ann.occupancy.get(ann.occupancy.size() - 1).members() == 1);
            assertThat(ann.presence).as("no joined or left in a count room").isEmpty();
        }
    }
}
