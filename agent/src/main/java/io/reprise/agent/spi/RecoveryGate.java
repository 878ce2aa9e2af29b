package io.reprise.agent.spi;

import io.reprise.agent.recovery.Replayer;

/** Recovery as adapters see it. */
public interface RecoveryGate {

    /**
     * Called by an adapter right before its port opens. The first call restores the newest valid snapshot and replays
     * the journal's tail through {@code replayer}; every call returns only once that is done and throws if it failed,
     * so that no port ever opens on a partial state (C4). In check mode ({@code reprise.check=true}) it replays,
     * reports and ends the process.
     */
    void recoverBeforeServing(Replayer replayer);
}
