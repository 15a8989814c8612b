package dev.roomcast.client;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * Runs one client's callbacks one at a time, in submission order, on a shared executor: many
 * clients share a few threads, and no client's callbacks overlap or reorder.
 *
 * <p>Threading: {@link #execute} may be called from any thread. The queue is unbounded: a
 * listener slower than the traffic makes frames pile up in memory, never stalls the socket.
 */
final class CallbackLane implements Executor {

    private final Executor executor;
    private final Queue<Runnable> queued = new ArrayDeque<>();
    private boolean draining;

    CallbackLane(Executor executor) {
        this.executor = executor;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (queued) {
            queued.add(task);
            if (draining) {
                return;
            }
            draining = true;
        }
        executor.execute(this::drain);
    }

    private void drain() {
        while (true) {
            Runnable task;
            synchronized (queued) {
                task = queued.poll();
                if (task == null) {
                    draining = false;
                    return;
                }
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                // A listener's bug must not stop the lane: report it the way an uncaught exception is.
                Thread current = Thread.currentThread();
                current.getUncaughtExceptionHandler().uncaughtException(current, e);
            }
        }
    }
}
