package dev.roomcast.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roomcast.config.Namespace;
import dev.roomcast.config.Namespaces;
import dev.roomcast.room.PresenceMode;
import dev.roomcast.testing.ClientSwarm;
import dev.roomcast.testing.SampledLeakTracking;
import dev.roomcast.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 5,000 members of one {@code count} room, real WebSockets on loopback (server and clients in this JVM: about 10,400
 * sockets), while 200 more connections join and leave the room over and over: each member receives at most about one
 * {@code occupancy} frame per second, a bound that does not grow with the room or with the churn, and once the churn
 * stops every member is shown the exact number of members. The figures are printed.
 */
@ExtendWith(SampledLeakTracking.class)
@Timeout(600)
class OccupancyScaleIT {

    private static final int MEMBERS = 5000;
    private static final int CHURNERS = 200;
    private static final int WINDOW_SECONDS = 6;
    private static final String ROOM = "stage:keynote";
    private static final Pattern OCCUPANCY = Pattern.compile("^\\{\"type\":\"occupancy\",\"room\":\"[^\"]*\",\"members\":(\\d+)\\}");
    private static final byte[] OK = "{\"type\":\"ok\"".getBytes(StandardCharsets.UTF_8);

    /** What the members' swarm saw; written on its reader thread only. */
    private static final class Members implements ClientSwarm.FrameSink {
        final AtomicInteger joined = new AtomicInteger();
        final AtomicIntegerArray lastCount = new AtomicIntegerArray(MEMBERS);
        final AtomicIntegerArray inWindow = new AtomicIntegerArray(MEMBERS);
        volatile boolean measuring;

        Members() {
            for (int i = 0; i < MEMBERS; i++) {
                lastCount.set(i, -1);
            }
        }

        @Override
        public void frame(int client, int opcode, long length, byte[] prefix, int prefixLength) {
            if (startsWith(prefix, prefixLength, OK)) {
                joined.incrementAndGet();
                return;
            }
            Matcher occupancy = OCCUPANCY.matcher(new String(prefix, 0, prefixLength, StandardCharsets.UTF_8));
            if (occupancy.find()) {
                lastCount.set(client, Integer.parseInt(occupancy.group(1)));
                if (measuring) {
                    inWindow.incrementAndGet(client);
                }
            }
        }
    }

    private static boolean startsWith(byte[] prefix, int length, byte[] start) {
        return length >= start.length && Arrays.equals(prefix, 0, start.length, start, 0, start.length);
    }

    private static List<String> paths(String name, int count) {
        return IntStream.range(0, count).mapToObj(i -> "/v1/ws?name=" + name + i).toList();
    }

    @Test
    void fiveThousandMembersGetAtMostAboutOneCountFrameASecondWhileMembersComeAndGo() throws Exception {
        Namespace counted = new Namespace(Namespace.Publish.MEMBERS, PresenceMode.COUNT, false, null, null,
                Namespace.SlowConsumer.DISCONNECT, null);
        Members members = new Members();
        try (TestServer server = TestServer.start(b -> b.maxConnectionsPerIp(MEMBERS + CHURNERS + 10)
                .namespaces(new Namespaces(Map.of("stage", counted))));
             ClientSwarm room = ClientSwarm.connect(server.port(), paths("m", MEMBERS), members);
             ClientSwarm churners = ClientSwarm.connect(server.port(), paths("c", CHURNERS), (c, op, len, p, pl) -> { })) {
            String join = "{\"type\":\"join\",\"room\":\"" + ROOM + "\"}";
            String leave = "{\"type\":\"leave\",\"room\":\"" + ROOM + "\"}";
            for (int i = 0; i < MEMBERS; i++) {
                room.sendText(i, join);
            }
            Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> members.joined.get() == MEMBERS);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> allShown(members, MEMBERS));

            boolean[] inRoom = new boolean[CHURNERS];
            AtomicInteger changes = new AtomicInteger();
            AtomicInteger changesInWindow = new AtomicInteger();
            long churnUntil = System.nanoTime() + Duration.ofSeconds(WINDOW_SECONDS + 3).toNanos();
            Thread churn = new Thread(() -> {
                try {
                    // One membership change every 2 ms, each churner every 400 ms: within its rate limit.
                    for (int i = 0; System.nanoTime() < churnUntil; i = (i + 1) % CHURNERS) {
                        churners.sendText(i, inRoom[i] ? leave : join);
                        inRoom[i] = !inRoom[i];
                        changes.incrementAndGet();
                        if (members.measuring) {
                            changesInWindow.incrementAndGet();
                        }
                        Thread.sleep(2);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "churn");
            churn.start();
            Thread.sleep(1500); // the churn under way before the window opens
            long windowStart = System.nanoTime();
            members.measuring = true;
            Thread.sleep(WINDOW_SECONDS * 1000L);
            members.measuring = false;
            double windowSeconds = (System.nanoTime() - windowStart) / 1e9;
            churn.join();

            int[] frames = IntStream.range(0, MEMBERS).map(members.inWindow::get).sorted().toArray();
            int stillIn = 0;
            for (boolean in : inRoom) {
                stillIn += in ? 1 : 0;
            }
            int expected = MEMBERS + stillIn;
            long convergeStart = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> allShown(members, expected));
            System.out.printf("OccupancyScaleIT: %d members, %d membership changes in a %.1f s window (%d in all);"
                            + " occupancy frames per member in the window: min %d, median %d, max %d (max %.2f a second);"
                            + " every member shown the exact count %d %d ms after the churn stopped%n",
                    MEMBERS, changesInWindow.get(), windowSeconds, changes.get(), frames[0], frames[MEMBERS / 2],
                    frames[MEMBERS - 1], frames[MEMBERS - 1] / windowSeconds, expected,
                    (System.nanoTime() - convergeStart) / 1_000_000);

            // At most one frame a tick (a second): the window holds at most its seconds plus one tick, plus one frame a
            // busy loop may have delayed into it. Independent of the members and of the changes, which are hundreds.
            assertThat(frames[MEMBERS - 1]).isLessThanOrEqualTo(WINDOW_SECONDS + 2);
            assertThat(changesInWindow.get()).as("the churn is far beyond one change a second").isGreaterThan(20 * (WINDOW_SECONDS + 2));
            assertThat(frames[0]).as("every member was shown the changing count in the window").isGreaterThanOrEqualTo(1);
        }
    }

    private static boolean allShown(Members members, int count) {
        for (int i = 0; i < MEMBERS; i++) {
            if (members.lastCount.get(i) != count) {
                return false;
            }
        }
        return true;
    }
}
