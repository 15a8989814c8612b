package dev.roomcast.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The array-backed membership table agrees with a plain set model through any join/leave order. */
class MembershipsTest {

    private final InlineLoop loop = new InlineLoop(0);

    private static Set<Session> membersOf(Memberships memberships, String room) {
        Set<Session> members = new HashSet<>();
        Memberships.Room r = memberships.room(room);
        if (r != null) {
            for (int i = 0; i < r.size(); i++) {
                assertThat(members.add(r.member(i))).as("member listed twice").isTrue();
            }
        }
        return members;
    }

    @Test
    void joinsAndLeavesInRandomOrderMatchASetModel() {
        Memberships memberships = new Memberships();
        Map<String, Set<Session>> model = new HashMap<>();
        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            sessions.add(new FakeSession("s" + i, "u" + i, loop));
        }
        List<String> rooms = List.of("a", "b", "c", "d");
        Random random = new Random(7);
        for (int step = 0; step < 20_000; step++) {
            Session session = sessions.get(random.nextInt(sessions.size()));
            String room = rooms.get(random.nextInt(rooms.size()));
            Set<Session> expected = model.computeIfAbsent(room, r -> new HashSet<>());
            if (random.nextBoolean()) {
                assertThat(memberships.add(room, session)).isEqualTo(expected.add(session));
            } else {
                assertThat(memberships.remove(room, session)).isEqualTo(expected.remove(session));
            }
            if (step % 500 == 0) {
                for (String r : rooms) {
                    assertThat(membersOf(memberships, r)).isEqualTo(model.get(r) == null ? Set.of() : model.get(r));
                }
            }
        }
        for (Session session : sessions) {
            Set<String> expectedRooms = new HashSet<>();
            model.forEach((room, members) -> {
                if (members.contains(session)) {
                    expectedRooms.add(room);
                }
            });
            assertThat(new HashSet<>(memberships.roomsOf(session))).isEqualTo(expectedRooms);
            for (String room : rooms) {
                assertThat(memberships.isMember(room, session)).isEqualTo(expectedRooms.contains(room));
            }
        }
    }

    @Test
    void aRoomDisappearsWithItsLastMemberAndShrinksAfterACrowdLeaves() {
        Memberships memberships = new Memberships();
        List<Session> crowd = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Session session = new FakeSession("s" + i, "u" + i, loop);
            crowd.add(session);
            memberships.add("hall", session);
        }
        assertThat(memberships.room("hall").size()).isEqualTo(1000);
        for (int i = 0; i < 999; i++) {
            assertThat(memberships.remove("hall", crowd.get(i))).isTrue();
        }
        assertThat(membersOf(memberships, "hall")).containsExactly(crowd.get(999));
        assertThat(memberships.remove("hall", crowd.get(999))).isTrue();
        assertThat(memberships.room("hall")).isNull();
        assertThat(memberships.roomsOf(crowd.get(999))).isEmpty();
        assertThat(memberships.remove("hall", crowd.get(999))).isFalse();
    }

    @Test
    void aSessionInSeveralRoomsLeavesOneWithoutTouchingTheOthers() {
        Memberships memberships = new Memberships();
        Session ann = new FakeSession("s1", "ann", loop);
        Session bob = new FakeSession("s2", "bob", loop);
        for (String room : List.of("x", "y", "z")) {
            memberships.add(room, ann);
            memberships.add(room, bob);
        }
        assertThat(memberships.add("y", ann)).isFalse();
        assertThat(memberships.remove("y", ann)).isTrue();
        assertThat(memberships.roomsOf(ann)).containsExactlyInAnyOrder("x", "z");
        assertThat(membersOf(memberships, "y")).containsExactly(bob);
        assertThat(membersOf(memberships, "x")).containsExactlyInAnyOrder(ann, bob);
        assertThat(memberships.remove("x", ann)).isTrue();
        assertThat(memberships.remove("z", ann)).isTrue();
        assertThat(memberships.roomsOf(ann)).isEmpty();
        assertThat(memberships.roomsOf(bob)).containsExactlyInAnyOrder("x", "y", "z");
    }
}
