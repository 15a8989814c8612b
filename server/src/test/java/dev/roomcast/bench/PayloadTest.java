package dev.roomcast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bench finds its payload in the seed's and the JSON protocol's frames, and nothing else. */
class PayloadTest {

    private static ByteBuf frame(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    /** The payload {@link Payload#write} appends, as text. */
    private static String payload(long sentNanos, int bytes) {
        ByteBuf out = Unpooled.buffer();
        out.writeCharSequence("before", StandardCharsets.US_ASCII);
        Payload.write(out, sentNanos, bytes);
        String written = out.toString(StandardCharsets.UTF_8);
        out.release();
        assertThat(written).startsWith("before");
        return written.substring("before".length());
    }

    @Test
    void payloadCarriesItsSendTimeAndHasTheAskedSize() {
        String text = payload(123456789L, 40);
        assertThat(text).startsWith("~123456789~").hasSize(40);
        assertThat(text.substring("~123456789~".length())).as("words, as chat text").matches("[a-z ]+").contains(" ");
        ByteBuf buf = frame(text);
        assertThat(Payload.sentNanos(buf, 0)).isEqualTo(123456789L);
        assertThat(Payload.sentNanos(frame(payload(-42L, 24)), 0)).isEqualTo(-42L);
        assertThat(payload(0, 24)).startsWith("~0~").hasSize(24);
        String longest = payload(Long.MAX_VALUE, Payload.MAX_BYTES);
        assertThat(longest).startsWith("~" + Long.MAX_VALUE + "~").hasSize(Payload.MAX_BYTES);
        assertThat(longest.substring(("~" + Long.MAX_VALUE + "~").length())).matches("[a-z ]+");
        buf.release();
    }

    @Test
    void seedFramesAreParsedByTheTutorialsExactPrefix() {
        byte[] prefix = WireProtocol.SEED.expectedPrefix("r1", false);
        ByteBuf message = frame("Message from r1: " + payload(77, 24));
        int mark = WireProtocol.SEED.payloadIndex(message, prefix);
        assertThat(Payload.sentNanos(message, mark)).isEqualTo(77);
        assertThat(WireProtocol.SEED.payloadIndex(frame("Client left the room r1"), prefix)).isEqualTo(-1);
        assertThat(WireProtocol.SEED.payloadIndex(frame("Message from r2: " + payload(77, 24)), prefix)).isEqualTo(-1);
        assertThat(WireProtocol.SEED.payloadIndex(frame("Message from r1: hello"), prefix)).isEqualTo(-1);
        byte[] echo = WireProtocol.SEED.expectedPrefix("ignored", true);
        ByteBuf echoed = frame("Message text was: " + payload(5, 24));
        assertThat(Payload.sentNanos(echoed, WireProtocol.SEED.payloadIndex(echoed, echo))).isEqualTo(5);
        message.release();
        echoed.release();
    }

    @Test
    void jsonFramesAreParsedByTheTextField() {
        byte[] field = WireProtocol.JSON.expectedPrefix("r1", false);
        ByteBuf message = frame("{\"type\":\"message\",\"room\":\"r1\",\"from\":\"a\",\"text\":\"" + payload(99, 24) + "\"}");
        assertThat(Payload.sentNanos(message, WireProtocol.JSON.payloadIndex(message, field))).isEqualTo(99);
        assertThat(WireProtocol.JSON.payloadIndex(frame("{\"type\":\"joined\",\"room\":\"r1\",\"text\":\"x\"}"), field))
                .isEqualTo(-1);
        message.release();
    }
}
