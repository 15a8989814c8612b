package dev.roomcast.hub;

import dev.roomcast.concurrent.SerialSections;
import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Which loops hold members of each room on this node, and how many members it has.
 *
 * <p>Threading: thread-safe. Each room's entry is immutable and replaced in the room's
 * {@link SerialSections section}, with the first-member or last-member reaction in the same step, so
 * a room's subscribe and unsubscribe never interleave; a broadcast reads the entry without locks.
 */
final class RoomDirectory {

    private static final LoopShard[] NONE = new LoopShard[0];

    /** An immutable snapshot of one room: the loops with members, and the member count. */
    private record Entry(LoopShard[] shards, int members) {
    }

    /** What a membership change did to the room as a whole. */
    enum Change { FIRST_MEMBER, LAST_MEMBER, OTHER }

    private final ConcurrentHashMap<String, Entry> rooms = new ConcurrentHashMap<>();
    private final SerialSections sections = new SerialSections();

    /**
     * Records one more member of {@code room} on {@code shard}. {@code onRoomChange} runs in the room's
     * section, before the new entry is visible, so first-member and last-member actions of one room
     * never interleave; it must be quick and must not touch the directory.
     */
    void addMember(String room, LoopShard shard, Consumer<Change> onRoomChange) {
        sections.run(room, () -> {
            Entry entry = rooms.get(room);
            if (entry == null) {
                onRoomChange.accept(Change.FIRST_MEMBER);
                rooms.put(room, new Entry(new LoopShard[] {shard}, 1));
                return;
            }
            LoopShard[] shards = contains(entry.shards, shard) ? entry.shards : append(entry.shards, shard);
            rooms.put(room, new Entry(shards, entry.members + 1));
        });
    }

    /** Records one member fewer; {@code shardEmptied} says the shard has no member of the room left. */
    void removeMember(String room, LoopShard shard, boolean shardEmptied, Consumer<Change> onRoomChange) {
        sections.run(room, () -> {
            Entry entry = rooms.get(room);
            if (entry == null) {
                return;
            }
            LoopShard[] shards = shardEmptied ? without(entry.shards, shard) : entry.shards;
            if (shards.length == 0) {
                onRoomChange.accept(Change.LAST_MEMBER);
                rooms.remove(room);
                return;
            }
            rooms.put(room, new Entry(shards, entry.members - 1));
        });
    }

    /** The loops with members of the room; an empty array when it has none. Never copy-mutated. */
    LoopShard[] shardsOf(String room) {
        Entry entry = rooms.get(room);
        return entry == null ? NONE : entry.shards;
    }

    int memberCount(String room) {
        Entry entry = rooms.get(room);
        return entry == null ? 0 : entry.members;
    }

    int roomCount() {
        return rooms.size();
    }

    /** Every room with members on this node, with its member count, sorted by name. */
    NavigableMap<String, Integer> snapshot() {
        NavigableMap<String, Integer> counts = new TreeMap<>();
        rooms.forEach((room, entry) -> counts.put(room, entry.members));
        return counts;
    }

    private static boolean contains(LoopShard[] shards, LoopShard shard) {
        for (LoopShard s : shards) {
            if (s == shard) {
                return true;
            }
        }
        return false;
    }

    private static LoopShard[] append(LoopShard[] shards, LoopShard shard) {
        LoopShard[] grown = Arrays.copyOf(shards, shards.length + 1);
        grown[shards.length] = shard;
        return grown;
    }

    private static LoopShard[] without(LoopShard[] shards, LoopShard shard) {
        return Arrays.stream(shards).filter(s -> s != shard).toArray(LoopShard[]::new);
    }
}
