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
}
