package dev.roomcast.hub;

import java.util.concurrent.Executor;

/**
 * A single thread that owns some sessions and their room memberships. Tasks run in the
 * order they were submitted.
 */
public interface Loop extends Executor {

    /** Position of this loop among the hub's loops, from 0. */
    int index();

    /** Whether the calling thread is this loop's thread. */
    boolean inLoop();
}
