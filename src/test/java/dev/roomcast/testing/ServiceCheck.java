package dev.roomcast.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The check that follows every abuse case: two well-behaved clients in a fresh room still get
 * each other's messages from the same server.
 */
public final class ServiceCheck {

    private static final AtomicInteger ROOMS = new AtomicInteger();

    private ServiceCheck() {
    }

    /** Fails unless a normal client gets service. */
    public static void assertServes(TestServer server) {
        assertServes(server, "");
    }

    /** Same, with a query string (such as {@code ?token=...}) added to the clients' URLs. */
    public static void assertServes(TestServer server, String query) {
        String room = "service-check-" + ROOMS.incrementAndGet();
        try (WsClient sender = WsClient.connect(server.ws("/ws/" + room + query));
             WsClient receiver = WsClient.connect(server.ws("/ws/" + room + query))) {
            sender.send("still served?");
            assertThat(receiver.next()).isEqualTo("Message from " + room + ": still served?");
            assertThat(sender.next()).isEqualTo("Message from " + room + ": still served?");
        }
    }
}
