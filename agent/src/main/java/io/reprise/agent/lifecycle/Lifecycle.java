package io.reprise.agent.lifecycle;

import io.reprise.agent.recovery.RecoveryReport;

/**
 * A part of the agent that follows, and may gate, its phases: the Kubernetes support (Lease fencing, Events,
 * annotations) is one. Every method has a default that does nothing, so an implementation overrides only what
 * it needs. Implementations must not throw from the notification methods; the agent logs and ignores it if
 * they do.
 *
 * <p>Order of calls: {@link #beforeRecovery} → {@link #recoveryStarted} → {@link #recoveryCompleted} (or
 * {@link #recoveryFailed}) → {@link #snapshotTaken}* → {@link #shutdown}.
 */
public interface Lifecycle {

    /**
     * Called before recovery reads the journal or a snapshot, on the thread that is about to open a port. May
     * block until it is safe to go on (for example until a Lease is held). Throwing stops the start: the port
     * never opens. {@code fence} stays valid for the life of the process.
     */
    default void beforeRecovery(Fence fence) throws Exception {
    }

    /** Recovery restored {@code snapshotPosition} (or none: {@code -1}) and is about to replay entries. */
    default void recoveryStarted(long snapshotPosition, long entriesToReplay) {
    }

    default void recoveryCompleted(RecoveryReport report) {
    }

    default void recoveryFailed(String reason) {
    }

    /** A snapshot covering {@code position} was written at {@code createdMillis}; the journal ends at {@code journalPosition}. */
    default void snapshotTaken(long position, long createdMillis, long journalPosition) {
    }

    /** Orderly shutdown, after the final snapshot. */
    default void shutdown() {
    }
}
