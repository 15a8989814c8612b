package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.config.Network;
import dev.roomcast.testing.TestServer;
import dev.roomcast.testing.WsClient;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every {@code --transport} serves the same protocol over real sockets, and {@code auto} picks epoll. */
@Timeout(60)
class TransportsIT {

    @ParameterizedTest
    @EnumSource(value = Network.Transport.class, names = {"IO_URING", "EPOLL", "NIO"})
    void eachTransportEchoesAndFansOut(Network.Transport transport) {
        try (TestServer server = TestServer.start(b -> TestServer.withoutRateLimit(b.transport(transport)))) {
            String expected = transport == Network.Transport.IO_URING && !IoUring.isAvailable() ? "epoll"
                    : transport == Network.Transport.NIO ? "NIO" : transport.name().toLowerCase();
            assertThat(server.node().transport()).endsWith(", " + expected);
            try (WsClient echo = WsClient.connect(server.ws("/echo"))) {
                echo.send("hello");
                assertThat(echo.next()).isEqualTo("Message text was: hello");
            }
            try (WsClient alone = WsClient.connect(server.ws("/ws/solo"))) {
                for (int i = 0; i < 100; i++) {
                    alone.send("m" + i);
                }
                for (int i = 0; i < 100; i++) {
                    assertThat(alone.next()).as("a room of one gets its messages in order").isEqualTo("Message from solo: m" + i);
                }
            }
            try (WsClient a = WsClient.connect(server.ws("/ws/pair")); WsClient b = WsClient.connect(server.ws("/ws/pair"))) {
                a.send("to both");
                assertThat(a.next()).isEqualTo("Message from pair: to both");
                assertThat(b.next()).isEqualTo("Message from pair: to both");
            }
        }
    }

    @Test
    void autoIsEpollOnLinux() {
        try (TestServer server = TestServer.start(b -> b.transport(Network.Transport.AUTO))) {
            assertThat(server.node().transport()).endsWith(", epoll");
        }
    }
}
