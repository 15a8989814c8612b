package dev.roomcast.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming UTF-8 check agrees with the JDK's decoder on every message, however the message is
 * split into fragments and the bytes into chops, with control frames in between.
 */
class Utf8StreamValidatorTest {

    /** Records whether the validator reported a violation; drops the bytes it passes on. */
    private static final class Verdict extends ChannelInboundHandlerAdapter {
        boolean failed;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed = true;
        }
    }

    @Test
    void agreesWithTheJdkDecoderOnRandomMessagesSplitAnyWay() {
        Random random = new Random(9);
        byte[] alphabet = "a€😀é\u0800".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 3000; round++) {
            byte[] message = new byte[random.nextInt(40)];
            for (int i = 0; i < message.length; i++) {
                // Mostly pieces of valid characters, sometimes any byte at all.
                message[i] = random.nextInt(8) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            assertThat(validatorFails(message, random, 7)).as(java.util.HexFormat.of().formatHex(message))
                    .isEqualTo(!isUtf8(message));
        }
    }

    /** Long ASCII runs are checked eight bytes at a time: a stray byte anywhere in one, at any mask phase, is still found. */
    @Test
    void agreesWithTheJdkDecoderOnLongMostlyAsciiMessagesInLargeChops() {
        Random random = new Random(19);
        byte[] alphabet = "abcdefgh€é😀".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 1000; round++) {
            byte[] message = new byte[random.nextInt(300)];
            for (int i = 0; i < message.length; i++) {
                message[i] = (byte) ('a' + random.nextInt(26));
            }
            // None, one or a few other bytes at random places: valid characters cut or whole, or any byte at all.
            for (int strays = random.nextInt(4); strays > 0 && message.length > 0; strays--) {
                message[random.nextInt(message.length)] = random.nextBoolean()
                        ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            assertThat(validatorFails(message, random, 100)).as(java.util.HexFormat.of().formatHex(message))
                    .isEqualTo(!isUtf8(message));
        }
    }

    /**
     * Sends {@code message} as masked text fragments with a ping between, in random chops of up to {@code maxChop}
     * bytes; whether the validator failed it.
     */
    private static boolean validatorFails(byte[] message, Random random, int maxChop) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameEncoder(true));
        int split = message.length == 0 ? 0 : random.nextInt(message.length + 1);
        List<WebSocketFrame> frames = List.of(
                new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(message, 0, split)),
                new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF})),
                new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(message, split, message.length - split)));
        frames.forEach(client::writeOutbound);
        ByteBuf wire = Unpooled.buffer();
        for (ByteBuf part = client.readOutbound(); part != null; part = client.readOutbound()) {
            wire.writeBytes(part);
            part.release();
        }
        client.finishAndReleaseAll();

        Verdict verdict = new Verdict();
        EmbeddedChannel server = new EmbeddedChannel(new Utf8StreamValidator(), verdict);
        List<ByteBuf> chops = new ArrayList<>();
        while (wire.isReadable()) {
            chops.add(wire.readRetainedSlice(Math.min(wire.readableBytes(), 1 + random.nextInt(maxChop))));
        }
        wire.release();
        chops.forEach(server::writeInbound);
        server.finishAndReleaseAll();
        return verdict.failed;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
