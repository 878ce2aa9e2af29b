package io.reprise.agent.lifecycle;

/**
 * A bound on this process's right to write that the write path checks before every append, for example "the
 * Kubernetes Lease was renewed within its renew deadline". The {@link Fence} that ends the process when the right is
 * lost runs on a watchdog thread; after a long GC pause that thread may not have run yet, so the write path must not
 * rely on it alone.
 */
@FunctionalInterface
public interface WriteDeadline {

    /**
     * Null while this process may write; otherwise why it may not. Called on every journaled request under the order:
     * a clock read and a volatile read, no I/O.
     */
    String expired();
}
