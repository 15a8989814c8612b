package dev.roomcast.hub;

import java.util.ArrayDeque;

/**
 * A loop for unit tests: tasks queue up and run on the test thread when {@link #runAll} is
 * called, so tests decide exactly when a loop's work happens. The test thread counts as the loop,
 * except inside {@link #fromOutside}, where it plays another thread.
 */
final class InlineLoop implements Loop {

    private final int index;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    int executed;
    private boolean outside;

    InlineLoop(int index) {
        this.index = index;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public boolean inLoop() {
        return !outside;
    }

    /** Runs {@code action} as if on another thread than this loop's. */
    void fromOutside(Runnable action) {
        outside = true;
        try {
            action.run();
        } finally {
            outside = false;
        }
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs queued tasks, including those they queue, until none is left. */
    void runAll() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            executed++;
            task.run();
        }
    }

    int pending() {
        return tasks.size();
    }
}
