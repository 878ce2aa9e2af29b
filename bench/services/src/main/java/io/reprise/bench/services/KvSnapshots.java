package io.reprise.bench.services;

import io.reprise.snapshot.SnapshotProvider;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Saves and restores the whole map: the number of entries, then each key and value as modified UTF-8. With a
 * persistent state it is two-phase: {@link #capture} freezes the current version, which is written after writers run
 * again; with a concurrent one, {@link #save} writes the live map while they wait.
 */
final class KvSnapshots implements SnapshotProvider {

    private final KvState map;

    KvSnapshots(KvState map) {
        this.map = map;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        write(map.size(), map::forEach, out);
    }

    @Override
    public Frozen capture() {
        KvState.Snapshot version = map.freeze();
        return version == null ? null : out -> write(version.size(), version::forEach, out);
    }

    private interface Entries {
        void forEach(java.util.function.BiConsumer<String, String> action);
    }

    private static void write(int size, Entries entries, OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(size);
        try {
            entries.forEach((key, value) -> {
                try {
                    data.writeUTF(key);
                    data.writeUTF(value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        data.flush();
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int n = data.readInt();
        map.clear();
        for (int i = 0; i < n; i++) {
            map.put(data.readUTF(), data.readUTF());
        }
    }
}
