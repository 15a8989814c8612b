package dev.roomcast.server;

import dev.roomcast.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The message model on one node with the memory broker. */
class MessageModelIT extends MessageModelContract {

    private static TestServer node;

    @BeforeAll
    static void start() {
        node = TestServer.start(MessageModelContract::settings);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Override
    TestServer publisherNode() {
        return node;
    }

    @Override
    TestServer memberNode() {
        return node;
    }
}
