package io.reprise.agent.lifecycle;

import io.reprise.agent.recovery.RecoveryReport;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** All lifecycles of one agent, called in the order they were added; a failing notification is logged. */
public final class Lifecycles implements Lifecycle {

    private static final Logger LOG = System.getLogger("io.reprise");

    private final List<Lifecycle> all = new CopyOnWriteArrayList<>();

    public void add(Lifecycle lifecycle) {
        all.add(lifecycle);
    }

    @Override
    public void beforeRecovery(Fence fence) throws Exception {
        for (Lifecycle l : all) {
            l.beforeRecovery(fence);
        }
    }

    @Override
    public void recoveryStarted(long snapshotPosition, long entriesToReplay) {
        each(l -> l.recoveryStarted(snapshotPosition, entriesToReplay));
    }

    @Override
    public void recoveryCompleted(RecoveryReport report) {
        each(l -> l.recoveryCompleted(report));
    }

    @Override
    public void recoveryFailed(String reason) {
        each(l -> l.recoveryFailed(reason));
    }

    @Override
    public void snapshotTaken(long position, long createdMillis, long journalPosition) {
        each(l -> l.snapshotTaken(position, createdMillis, journalPosition));
    }

    @Override
    public void shutdown() {
        each(Lifecycle::shutdown);
    }

    private void each(Consumer<Lifecycle> call) {
        for (Lifecycle l : all) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "reprise: " + l.getClass().getSimpleName() + " failed: " + e, e);
            }
        }
    }
}
