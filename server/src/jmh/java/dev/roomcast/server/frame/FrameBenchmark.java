package dev.roomcast.server.frame;

import dev.roomcast.protocol.WireFormat;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Frame bytes for a broadcast: building one text frame per event ({@link EventFrames}) and
 * handing each recipient a retained duplicate of it, per buffer allocator. State is confined to
 * the benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FrameBenchmark {

    private static final int RECIPIENTS = 1000;

    @Param({"32", "1024"})
    int textBytes;

    @Param({"adaptive", "pooled", "unpooled"})
    String allocator;

    private ByteBufAllocator alloc;
    private RoomEvent message;
    private ByteBuf frame;
    private final ByteBuf[] duplicates = new ByteBuf[RECIPIENTS];

    @Setup
    public void setUp() {
        alloc = switch (allocator) {
            case "adaptive" -> new AdaptiveByteBufAllocator();
            case "pooled" -> PooledByteBufAllocator.DEFAULT;
            default -> UnpooledByteBufAllocator.DEFAULT;
        };
        message = new RoomEvent.Message("hall", new Position("e", 1), "ann", "x".repeat(textBytes), 0);
        frame = new EventFrames(message, alloc).frame(WireFormat.SEED_TEXT).retain();
    }

    @TearDown
    public void tearDown() {
        frame.release();
    }

    /** One broadcast's encode: the seed text frame built once and freed. */
    @Benchmark
    public void encodeSeedTextFrame(Blackhole sink) {
        EventFrames event = new EventFrames(message, alloc);
        sink.consume(event.frame(WireFormat.SEED_TEXT));
        event.release();
    }

    /** Per recipient: a retained duplicate, released later as the socket write completes. */
    @Benchmark
    @OperationsPerInvocation(RECIPIENTS)
    public void retainedDuplicatePerRecipient() {
        for (int i = 0; i < RECIPIENTS; i++) {
            duplicates[i] = frame.retainedDuplicate();
        }
        for (int i = 0; i < RECIPIENTS; i++) {
            duplicates[i].release();
        }
    }
}
