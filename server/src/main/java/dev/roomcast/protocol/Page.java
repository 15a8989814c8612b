package dev.roomcast.protocol;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * One page of a listing sorted by name (the rooms, a room's users), each name with a count: at most a limit
 * of entries after a cursor, and the cursor of the page after it (the last name listed), null on the last page.
 *
 * <p>Threading: immutable once made.
 *
 * @param entries the names and counts of this page, in order
 * @param next    the cursor of the next page, or null when nothing follows
 */
public record Page(List<Map.Entry<String, Integer>> entries, String next) {

    /** The most entries a page of any listing holds, and the default of a presence listing. */
    public static final int MAX_LIMIT = 1000;

    /** The first {@code limit} entries of {@code all} after {@code cursor} (from the start when it is null). */
    public static Page of(NavigableMap<String, Integer> all, String cursor, int limit) {
        Iterator<Map.Entry<String, Integer>> after = (cursor == null ? all : all.tailMap(cursor, false)).entrySet().iterator();
        List<Map.Entry<String, Integer>> entries = new ArrayList<>();
        while (entries.size() < limit && after.hasNext()) {
            entries.add(after.next());
        }
        return new Page(entries, after.hasNext() ? entries.get(entries.size() - 1).getKey() : null);
    }
}
