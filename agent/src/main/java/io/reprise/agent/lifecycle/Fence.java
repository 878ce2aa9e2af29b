package io.reprise.agent.lifecycle;

/**
 * How a {@link Lifecycle} takes this process's right to write away, for example when its Kubernetes Lease is
 * lost: from that moment journaled requests are refused with 503, and the process exits with a non-zero status
 * so that it is restarted and has to fence in again before it serves.
 */
@FunctionalInterface
public interface Fence {

    /** Refuses every later journaled request at once, then ends the process. Does not return. */
    void lost(String reason);

    /**
     * From now on the write path refuses a journaled request (503, not applied, not journaled) as soon as
     * {@code deadline} says the right to write has expired, even before {@link #lost} is called.
     */
    default void bound(WriteDeadline deadline) {
    }
}
