package dev.roomcast.hub;

import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which loops hold members of each room on this node, and how many members it has. Thread-safe:
 * each room's entry is immutable and replaced atomically, so a broadcast reads it without locks.
 */
final class RoomDirectory {

    private static final LoopShard[] NONE = new LoopShard[0];

    /** An immutable snapshot of one room: the loops with members, and the member count. */
    private record Entry(LoopShard[] shards, int members) {
    }

    /** What a membership change did to the room as a whole. */
    enum Change { FIRST_MEMBER, LAST_MEMBER, OTHER }

    private final ConcurrentHashMap<String, Entry> rooms = new ConcurrentHashMap<>();

    /**
     * Records one more member of {@code room} on {@code shard}. {@code onRoomChange} runs inside
     * the room's atomic update, so first-member and last-member actions of one room never
     * interleave; it must be quick and must not touch the directory.
     */
    void addMember(String room, LoopShard shard, java.util.function.Consumer<Change> onRoomChange) {
        rooms.compute(room, (r, entry) -> {
            if (entry == null) {
                onRoomChange.accept(Change.FIRST_MEMBER);
                return new Entry(new LoopShard[] {shard}, 1);
            }
            LoopShard[] shards = contains(entry.shards, shard) ? entry.shards : append(entry.shards, shard);
            return new Entry(shards, entry.members + 1);
        });
    }

    /** Records one member fewer; {@code shardEmptied} says the shard has no member of the room left. */
    void removeMember(String room, LoopShard shard, boolean shardEmptied,
                      java.util.function.Consumer<Change> onRoomChange) {
        rooms.computeIfPresent(room, (r, entry) -> {
            LoopShard[] shards = shardEmptied ? without(entry.shards, shard) : entry.shards;
            if (shards.length == 0) {
                onRoomChange.accept(Change.LAST_MEMBER);
                return null;
            }
            return new Entry(shards, entry.members - 1);
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
