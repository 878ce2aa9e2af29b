package io.reprise.agent.idempotency;

import io.reprise.agent.snapshot.ProviderHandle;
import io.reprise.agent.snapshot.SnapshotSection;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Idempotency-Key table: for each key, the fingerprint of the first request that carried it, that request's
 * journal position and time, and its stored response; plus the keys whose first request is still in flight.
 *
 * <p>Keys enter in journal order, live and on replay alike ({@link #put}), and leave in that order: when they are
 * older than the ttl measured on the journal time of the entry being put (not the wall clock, so replay forgets the
 * same keys at the same entries), and, oldest first, when the table holds more than {@code maxKeys} keys or more
 * than {@code maxBytes} of keys and responses. So the table rebuilt from a snapshot and the entries after it equals
 * the table the live service had. A lookup treats a key older than the ttl by the wall clock as absent, without
 * removing it.
 *
 * <p>It is kept on the heap, and in snapshots as the section {@code idempotency}; see docs/architecture.md for why
 * not in Chronicle Map. Thread-safe: every method holds the table's monitor, briefly.
 */
public final class KeyTable implements SnapshotSection {

    /** What a lookup found. */
    enum Found { NEW, IN_FLIGHT, MISMATCH, STORED }

    record Lookup(Found found, StoredResponse response) {
    }

    /**
     * A key's first request; its response is kept {@link StoredResponse#encode() encoded}, as the outcome record holds
     * it: one array per key, written to snapshots as it is, decoded only for a retry.
     */
    record Entry(long fingerprintHigh, long fingerprintLow, long position, long timeMillis, byte[] response) {
        Entry(long fingerprintHigh, long fingerprintLow, long position, long timeMillis, StoredResponse response) {
            this(fingerprintHigh, fingerprintLow, position, timeMillis, response.encode());
        }

        /** What the entry takes on the heap, roughly: the map's node, this record, the key and the response. */
        long weight(String key) {
            return 120L + 2L * key.length() + 16L + response.length;
        }

        StoredResponse stored() {
            return StoredResponse.decode(response);
        }
    }

    private static final int VERSION = 1;

    private final long ttlMillis;
    private final int maxKeys;
    private final long maxBytes;
    private final LinkedHashMap<String, Entry> keys = new LinkedHashMap<>();
    private final Set<String> inFlight = new HashSet<>();
    private long bytes;
    private long forgotten;
    private long nextForgottenLog = 1;
    private static final System.Logger LOG = System.getLogger("io.reprise.idempotency");

    KeyTable(long ttlMillis, int maxKeys, long maxBytes) {
        this.ttlMillis = ttlMillis;
        this.maxKeys = maxKeys;
        this.maxBytes = maxBytes;
    }

    /**
     * Looks {@code key} up for a new request with this fingerprint at wall-clock time {@code now}; when it is new,
     * marks it in flight, so that the same key gets {@link Found#IN_FLIGHT} until {@link #release}.
     */
    synchronized Lookup begin(String key, long high, long low, long now) {
        if (inFlight.contains(key)) {
            return new Lookup(Found.IN_FLIGHT, null);
        }
        Entry entry = keys.get(key);
        if (entry != null && entry.timeMillis() >= now - ttlMillis) {
            if (entry.fingerprintHigh() != high || entry.fingerprintLow() != low) {
                return new Lookup(Found.MISMATCH, null);
            }
            return new Lookup(Found.STORED, entry.stored());
        }
        inFlight.add(key);
        return new Lookup(Found.NEW, null);
    }

    /** The request that took {@code key} in flight has been answered, or was not applied at all. */
    synchronized void release(String key) {
        inFlight.remove(key);
    }

    /**
     * Enters the first request of {@code key}, in journal order: under the write path's order live, in replay order at
     * recovery. A previous entry of the key (one that had expired) is replaced.
     */
    synchronized void put(String key, Entry entry) {
        Entry previous = keys.remove(key);
        if (previous != null) {
            bytes -= previous.weight(key);
        }
        keys.put(key, entry);
        bytes += entry.weight(key);
        long expiredBefore = entry.timeMillis() - ttlMillis;
        Iterator<Map.Entry<String, Entry>> oldest = keys.entrySet().iterator();
        while (oldest.hasNext()) {
            Map.Entry<String, Entry> e = oldest.next();
            boolean expired = e.getValue().timeMillis() < expiredBefore;
            boolean over = keys.size() > maxKeys || bytes > maxBytes;
            if (!expired && !over) {
                break;
            }
            if (!expired) {
                forgotten(keys.size() > maxKeys);
            }
            bytes -= e.getValue().weight(e.getKey());
            oldest.remove();
        }
    }

    /** Counts a key forgotten before its ttl; logs the first one, and then every tenfold more. */
    private void forgotten(boolean atMaxKeys) {
        forgotten++;
        if (forgotten >= nextForgottenLog) {
            nextForgottenLog = forgotten * 10;
            LOG.log(System.Logger.Level.WARNING, "reprise: " + forgotten + " Idempotency-Key(s) forgotten before their ttl, "
                    + "oldest first, because the key table reached reprise.idempotency."
                    + (atMaxKeys ? "max-keys=" + maxKeys : "max-memory=" + maxBytes + " bytes")
                    + "; a retry of a forgotten key is applied again. Raise the bound or lower reprise.idempotency.ttl");
        }
    }

    /** Keys in the table (in flight ones not counted until applied). */
    public synchronized int size() {
        return keys.size();
    }

    /** The memory the table's keys and responses take, as the {@code max-memory} bound counts it. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Keys forgotten before their ttl because the table was at one of its bounds. */
    public synchronized long forgotten() {
        return forgotten;
    }

    synchronized Entry get(String key) {
        return keys.get(key);
    }

    /** The table as its snapshot section holds it: two tables are equal exactly when these bytes are. */
    public synchronized byte[] contents() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public String name() {
        return "idempotency";
    }

    @Override
    public int version() {
        return VERSION;
    }

    @Override
    public synchronized void write(OutputStream stream) throws IOException {
        capture().writeTo(stream);
    }

    /**
     * The table as it is now, for a snapshot written after the order is released: two arrays of references (entries
     * are immutable), so the writers' pause is a copy of pointers, not the encoding of every key.
     */
    @Override
    public synchronized ProviderHandle.Frozen capture() {
        String[] names = keys.keySet().toArray(new String[0]);
        Entry[] entries = keys.values().toArray(new Entry[0]);
        return out -> write(out, names, entries);
    }

    private static void write(OutputStream stream, String[] names, Entry[] entries) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        out.writeInt(names.length);
        for (int i = 0; i < names.length; i++) {
            Entry entry = entries[i];
            out.writeUTF(names[i]);
            out.writeLong(entry.fingerprintHigh());
            out.writeLong(entry.fingerprintLow());
            out.writeLong(entry.position());
            out.writeLong(entry.timeMillis());
            byte[] response = entry.response();
            out.writeInt(response.length);
            out.write(response);
        }
        out.flush();
    }

    @Override
    public synchronized void restore(int version, InputStream stream) throws IOException {
        if (version != VERSION) {
            throw new IOException("idempotency section version " + version + "; this release reads version " + VERSION);
        }
        reset();
        DataInputStream in = new DataInputStream(stream);
        int count = in.readInt();
        if (count < 0) {
            throw new IOException("idempotency section: negative key count " + count);
        }
        for (int i = 0; i < count; i++) {
            String key = in.readUTF();
            long high = in.readLong();
            long low = in.readLong();
            long position = in.readLong();
            long time = in.readLong();
            int length = in.readInt();
            if (length < 0 || length > in.available()) {
                throw new IOException("idempotency section: key " + i + " has a " + length + "-byte response but "
                        + in.available() + " bytes are left");
            }
            byte[] response = in.readNBytes(length);
            try {
                StoredResponse.decode(response); // checked once here, so that a retry never meets a bad one
            } catch (IllegalArgumentException e) {
                throw new IOException("idempotency section: key " + i + ": " + e.getMessage(), e);
            }
            put(key, new Entry(high, low, position, time, response));
        }
    }

    @Override
    public synchronized void reset() {
        keys.clear();
        inFlight.clear();
        bytes = 0;
    }
}
