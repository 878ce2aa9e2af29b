package io.reprise.samples.ledger;

import io.reprise.snapshot.SnapshotProvider;
import io.reprise.snapshot.SnapshotProviders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Saves and restores the ledger for Reprise. A Spring bean registers itself: Reprise recovers when the embedded
 * server opens its port, after every bean exists, so the registration is always in time.
 */
@Component
public class LedgerSnapshots implements SnapshotProvider {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerSnapshots.class);

    private final Ledger ledger;

    public LedgerSnapshots(Ledger ledger) {
        this.ledger = ledger;
        if (!SnapshotProviders.register(this)) {
            LOG.info("no Reprise agent: the ledger is lost on exit");
        }
    }

    @Override
    public void save(OutputStream out) throws IOException {
        ledger.save(out);
    }

    /** Two-phase: transfers wait only while the ledger's maps are copied, not while they are written. */
    @Override
    public Frozen capture() {
        return ledger.capture();
    }

    @Override
    public void restore(InputStream in) throws IOException {
        ledger.restore(in);
    }
}
