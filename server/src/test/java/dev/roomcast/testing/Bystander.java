package dev.roomcast.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

/**
 * A well-behaved client connected to a room of its own before a bad or abusive client does its
 * worst. Afterwards it must still be open and chat with a client that connects then: the check
 * that follows every bad-input and abuse case.
 *
 * @param query added to the clients' URLs, e.g. {@code ?token=...} on a server with auth; or ""
 */
public record Bystander(TestServer server, String room, String query, WsClient client) implements AutoCloseable {

    private static final AtomicInteger ROOMS = new AtomicInteger();

    public static Bystander join(TestServer server) {
        return join(server, "");
    }

    public static Bystander join(TestServer server, String query) {
        String room = "bystander-" + ROOMS.incrementAndGet();
        return new Bystander(server, room, query, WsClient.connect(server.ws("/ws/" + room + query)));
    }

    public void assertStillServed() {
        assertThat(client.isClosed()).as("the bystander was disconnected").isFalse();
        try (WsClient newcomer = WsClient.connect(server.ws("/ws/" + room + query))) {
            // A client is in its room a moment after its 101 arrives (the join runs when the
            // handshake write completes), so wait for the join rather than race it on a loaded machine.
            Awaitility.await().atMost(WsClient.WAIT).until(() -> server.node().hub().memberCount(room) == 2);
            newcomer.send("still here?");
            assertThat(client.next()).isEqualTo("Message from " + room + ": still here?");
            assertThat(newcomer.next()).isEqualTo("Message from " + room + ": still here?");
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
