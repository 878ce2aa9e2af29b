package io.reprise.k8s.time;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link ManualTicker#newScheduler}: a {@link ScheduledExecutorService} whose tasks run on the ticker's driver thread
 * when the ticker's time reaches them. A task takes none of the ticker's time, so fixed rate and fixed delay agree.
 *
 * <p>Like {@link Ticker#system()}'s schedulers: after {@link #shutdown()} the tasks already due still run, delayed and
 * periodic ones do not; a failing task's exception is kept in its future, and a failing periodic task runs no more.
 * Unlike them, {@link #awaitTermination} does not wait: on the driver's thread, outside a task, it runs the tasks
 * due now; anywhere else it only says whether all are done.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    private final ManualTicker ticker;
    private final Set<Task<?>> pending = new LinkedHashSet<>(); // guarded by this
    private volatile boolean shutdown;

    ManualScheduler(ManualTicker ticker) {
        this.ticker = ticker;
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return enqueue(new Task<>(Executors.callable(command), due(delay, unit), 0));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return enqueue(new Task<>(callable, due(delay, unit), 0));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        if (period <= 0) {
            throw new IllegalArgumentException("period " + period + " " + unit);
        }
        return enqueue(new Task<>(Executors.callable(command), due(initialDelay, unit), unit.toNanos(period)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        if (delay <= 0) {
            throw new IllegalArgumentException("delay " + delay + " " + unit);
        }
        return enqueue(new Task<>(Executors.callable(command), due(initialDelay, unit), -unit.toNanos(delay)));
    }

    @Override
    public void shutdown() {
        List<Task<?>> dropped = new ArrayList<>();
        synchronized (this) {
            shutdown = true;
            long now = ticker.nanoTime();
            for (Task<?> t : pending) {
                if (t.isPeriodic() || t.at > now) {
                    dropped.add(t);
                }
            }
        }
        dropped.forEach(t -> t.cancel(false));
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> dropped;
        synchronized (this) {
            shutdown = true;
            dropped = new ArrayList<>(pending);
        }
        dropped.forEach(t -> ((Task<?>) t).cancel(false));
        return dropped;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown && pending.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        if (!isTerminated() && ticker.mayAdvance()) {
            ticker.advance(Duration.ZERO);
        }
        return isTerminated();
    }

    private long due(long delay, TimeUnit unit) {
        return ticker.nanoTime() + Math.max(0, unit.toNanos(delay));
    }

    private <V> Task<V> enqueue(Task<V> task) {
        synchronized (this) {
            if (shutdown) {
                throw new RejectedExecutionException("the scheduler is shut down");
            }
            pending.add(task);
        }
        ticker.at(task.at, task);
        return task;
    }

    private synchronized void forget(Task<?> task) {
        pending.remove(task);
    }

    /** A task and when it is due; {@code period} &gt; 0: at a fixed rate, &lt; 0: with a fixed delay, 0: once. */
    private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {

        private volatile long at;
        private final long period;

        Task(Callable<V> callable, long at, long period) {
            super(callable);
            this.at = at;
            this.period = period;
        }

        @Override
        public boolean isPeriodic() {
            return period != 0;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(at - ticker.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public void run() {
            if (!isPeriodic()) {
                super.run();
                forget(this);
            } else if (runAndReset() && !shutdown) {
                at = period > 0 ? at + period : ticker.nanoTime() - period;
                ticker.at(at, this);
            } else {
                forget(this);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            forget(this);
            return cancelled;
        }
    }
}
