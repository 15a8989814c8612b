package dev.roomcast.hub;

import dev.roomcast.room.DirectMessage;
import dev.roomcast.room.Position;
import dev.roomcast.room.RoomEvent;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The hub's side of one broadcast on one loop: {@link LoopShard#loopBroadcast} over every member of a
 * room, then the loop's single flush pass. Sessions only count, so this is the hub's own cost
 * per member (iteration, the push call, flush bookkeeping), not Netty's. The operation ends
 * when the flush task has run, so nothing is left queued between operations.
 * State is confined to the benchmark thread, which plays the loop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanOutBenchmark {

    /** Runs tasks when the benchmark says so; the benchmark thread is the loop. */
    static final class QueueLoop implements Loop {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override public int index() { return 0; }
        @Override public boolean inLoop() { return true; }
        @Override public void execute(Runnable task) { tasks.add(task); }

        void runAll() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
        }
    }

    /** Counts deliveries and flushes like a socket that never pushes back. */
    static final class CountingSession implements Session {
        private final Loop loop;
        long delivered;
        long flushes;
        private boolean unflushed;

        CountingSession(Loop loop) { this.loop = loop; }

        @Override public String id() { return "s"; }
        @Override public String user() { return "u"; }
        @Override public Loop loop() { return loop; }
        @Override public void pushDirect(DirectMessage message) { }
        @Override public void close(CloseReason reason, String phrase) { }

        @Override
        public boolean push(SharedEvent event) {
            delivered++;
            if (unflushed) {
                return false;
            }
            unflushed = true;
            return true;
        }

        @Override
        public void flush() {
            unflushed = false;
            flushes++;
        }
    }

    @Param({"1000", "10000"})
    int members;

    private QueueLoop loop;
    private LoopShard shard;
    private SharedEvent event;

    @Setup
    public void setUp() {
        loop = new QueueLoop();
        shard = new LoopShard(loop, nanos -> { });
        for (int i = 0; i < members; i++) {
            shard.add("hall", new CountingSession(loop));
            // Other rooms on the same loop, as on a real node.
            shard.add("room-" + (i % 100), new CountingSession(loop));
        }
        RoomEvent message = new RoomEvent.Message("hall", new Position("e", 1), "ann", "hello", 0);
        event = new SharedEvent() {
            @Override public RoomEvent event() { return message; }
            @Override public SharedEvent retain() { return this; }
            @Override public void release() { }
        };
    }

    @Benchmark
    public void fanOutAndFlushOnce() {
        shard.loopBroadcast("hall", event, System.nanoTime());
        loop.runAll();
    }
}
