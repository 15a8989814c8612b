package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests on one keep-alive connection through Netty's codec and the {@link RequestBodyAggregator}: those
 * without a body are handed on whole at once, those with one are aggregated as Netty does, and neither
 * disturbs the next request.
 */
class RequestBodyAggregatorTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new RequestBodyAggregator(1024));

    @AfterEach
    void finish() {
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void requestsWithAndWithoutBodiesFollowEachOtherOnOneConnection() {
        send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertNext("GET", "/healthz", "");
        send("POST /v1/rooms/a/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        assertNext("POST", "/v1/rooms/a/messages", "hello");
        send("GET /readyz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        assertNext("GET", "/readyz", "");
        send("POST /v1/rooms/a/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        assertNext("POST", "/v1/rooms/a/messages", "abc");
        send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertNext("GET", "/metrics", "");
        assertNext("GET", "/healthz", "");
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void aRequestWithoutABodyKeepsTheDecodersHeadersAndAddsNone() {
        send("GET /ws/lobby?name=ann HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n");
        FullHttpRequest request = channel.readInbound();
        assertThat(request.headers().names()).containsExactlyInAnyOrder("Host", "Upgrade");
        assertThat(request.uri()).isEqualTo("/ws/lobby?name=ann");
        request.release();
    }

    /** As the router does when it upgrades a request to /echo: the HTTP state goes while the request is handled. */
    @Test
    void aHandlerThatEndsTheHttpStateOnTheRequestGetsNothingOfItAfterwards() {
        EmbeddedChannel upgrading = new EmbeddedChannel(new HttpServerCodec(), new RequestBodyAggregator(1024),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                        ctx.pipeline().remove(RequestBodyAggregator.class);
                        ctx.pipeline().remove(HttpServerCodec.class);
                        ctx.pipeline().remove(this);
                    }
                });
        upgrading.writeInbound(Unpooled.copiedBuffer("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat((Object) upgrading.readInbound()).as("what followed the request past the HTTP state").isNull();
        assertThat(upgrading.finish()).isFalse();
    }

    private void send(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    private void assertNext(String method, String uri, String body) {
        FullHttpRequest request = channel.readInbound();
        assertThat(request).as("a whole request").isNotNull();
        assertThat(request.method().name()).isEqualTo(method);
        assertThat(request.uri()).isEqualTo(uri);
        assertThat(request.content().toString(StandardCharsets.ISO_8859_1)).isEqualTo(body);
        assertThat(request.decoderResult().isSuccess()).isTrue();
        request.release();
    }
}
