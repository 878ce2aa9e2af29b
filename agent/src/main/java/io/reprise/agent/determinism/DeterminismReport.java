package io.reprise.agent.determinism;

import io.reprise.agent.lifecycle.Lifecycle;
import io.reprise.agent.recovery.RecoveryReport;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/** Says, once recovery is done and the port is about to open, what rewriting the call sites has cost the start-up. */
public final class DeterminismReport implements Lifecycle {

    private static final Logger LOG = System.getLogger("io.reprise.determinism");

    private final CallSiteTransformer transformer;

    public DeterminismReport(CallSiteTransformer transformer) {
        this.transformer = transformer;
    }

    @Override
    public void recoveryCompleted(RecoveryReport report) {
        LOG.log(Level.INFO, "reprise: recorded values: call sites rewritten so far: " + transformer.describe());
    }
}
