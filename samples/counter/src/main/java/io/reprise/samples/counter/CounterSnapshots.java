package io.reprise.samples.counter;

import io.reprise.snapshot.SnapshotProvider;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Saves and restores the counter for Reprise: eight bytes, captured under the order and written after it. */
final class CounterSnapshots implements SnapshotProvider {

    private final Counter counter;

    CounterSnapshots(Counter counter) {
        this.counter = counter;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeLong(counter.get());
        data.flush();
    }

    /** Two-phase: writers wait only while the value is read; the eight bytes are written after they run again. */
    @Override
    public Frozen capture() {
        long value = counter.get();
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeLong(value);
            data.flush();
        };
    }

    @Override
    public void restore(InputStream in) throws IOException {
        counter.set(new DataInputStream(in).readLong());
    }
}
