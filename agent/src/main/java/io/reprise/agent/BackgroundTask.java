package io.reprise.agent;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A result computed once, on a daemon thread of its own, started on demand: start-up work (opening the journal,
 * building Byte Buddy's transformer) that should overlap the application's own start-up. Callers may hold and wait
 * on {@link #result()} before the task has started.
 */
public final class BackgroundTask<T> {

    private final String threadName;
    private final Callable<T> task;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();

    public BackgroundTask(String threadName, Callable<T> task) {
        this.threadName = threadName;
        this.task = task;
    }

    /** Starts the task, unless it was started already. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    public boolean started() {
        return started.get();
    }

    /** The task's result, or its failure; incomplete until the task has run. */
    public CompletableFuture<T> result() {
        return result;
    }
}
