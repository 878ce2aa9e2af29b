package io.reprise.bench.services;

import io.reprise.snapshot.SnapshotProvider;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/** Saves and restores the whole map: the number of entries, then each key and value as modified UTF-8. */
final class KvSnapshots implements SnapshotProvider {

    private final Map<String, String> map;

    KvSnapshots(Map<String, String> map) {
        this.map = map;
    }

    @Override
    public void save(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            data.writeUTF(e.getKey());
            data.writeUTF(e.getValue());
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
