package io.reprise.agent.adapter.servlet;

import io.reprise.agent.snapshot.SnapshotSection;
import io.reprise.agent.spi.JournalGate;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.Outcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Container sessions as state that journaled writes depend on (docs/guarantees.md#sessions). A session is often made
 * and changed by requests that are not journaled: Spring Security makes the session and its CSRF token on
 * {@code GET /login}. So every session change that no journaled request made (creation, an attribute set or removed,
 * an id change, invalidation or expiry) is journaled as an agent record of type {@code session}, in the order, among
 * the requests; replay applies it at the same place, so that the journaled requests after it find the session they
 * found live, under the same id. Changes a journaled request makes need no record: replaying the request makes them
 * again, with the same ids, since its random values are recorded ({@code reprise.deterministic}).
 *
 * <p>Each snapshot also holds every session of every registered web application in its {@code sessions} section, so
 * that a restore does not need the records before it.
 *
 * <p>Attribute values are kept with Java serialisation, as the containers' own session persistence keeps them; a
 * value that cannot be serialised is named in a warning, once, and is missing after a restart.
 *
 * <p>Sessions rebuilt at a start count as accessed when recovery ends: requests that are not journaled (reads) leave
 * no record, so the time a session was last read is not known, and a restart should not log a user out for the time
 * it took.
 */
public final class SessionRecords implements SnapshotSection {

    private static final Logger LOG = System.getLogger("io.reprise.adapter.servlet");

    /** The agent record type of session changes. */
    public static final String TYPE = "session";
    static final int RECORD_VERSION = 1;
    static final int SECTION_VERSION = 1;
    static final byte CREATED = 1;
    static final byte SET = 2;
    static final byte REMOVED = 3;
    static final byte ID_CHANGED = 4;
    static final byte DESTROYED = 5;
    private static final int MAX_WARNINGS = 100;
    private static final Outcome APPLIED = Outcome.answered(200, 0);

    /**
     * One web application's sessions in its container, as far as Reprise needs them. Sessions are handed around as
     * the container's objects, which implement the servlet API's {@code HttpSession}.
     */
    public interface Store {
        /** Names the web application, the same on every start of the same deployment: the records' target. */
        String key();

        /** The web application's class loader, for the attribute values' classes. */
        ClassLoader classLoader();

        /** The session with this id, or null. */
        Object find(String id) throws Exception;

        /** Makes a session with this id, without telling the application's listeners. */
        Object create(String id, long creationTime, int maxInactiveSeconds) throws Exception;

        void changeId(Object session, String newId) throws Exception;

        /** Every session the container holds. */
        List<Object> sessions() throws Exception;

        /** Drops every session without telling the application's listeners (before a restore). */
        void removeAll() throws Exception;

        /** Marks the session accessed now. */
        void touch(Object session) throws Exception;

        /**
         * Whether the web application is being stopped: the container then invalidates every session, which is no
         * change of the application's state but the end of the process (or of the deployment), and must not be
         * journaled, or every orderly restart would log every user out.
         */
        boolean stopping();

        /**
         * What the container's next session id depends on besides random values, after a session was made or had its
         * id changed: Jetty appends a counter of every id it made in the process to each id, so replay must continue
         * that counter where live left it. 0 when nothing (Tomcat's ids are random values only).
         */
        default long idState() {
            return 0;
        }

        /** Continues from {@code state}, an {@link #idState()} recorded live, unless the container is already past it. */
        default void restoreIdState(long state) {
        }
    }

    private final JournalGate writePath;
    private final Map<String, Store> stores = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final AtomicLong unjournaled = new AtomicLong();
    /** Per web application being stopped: the sessions the container invalidated, as a snapshot section holds them. */
    private final Map<String, Map<String, byte[]>> stopped = new ConcurrentHashMap<>();
    private volatile boolean live;

    public SessionRecords(JournalGate writePath) {
        this.writePath = writePath;
    }

    /** Adds a web application; the first store of a key wins (a context is met once per connector). */
    public void register(Store store) {
        stores.putIfAbsent(store.key(), store);
    }

    /** Whether a web application of this key is registered. */
    public boolean registered(String key) {
        return stores.containsKey(key);
    }

    /**
     * Recovery is done: sessions rebuilt so far count as accessed now, and from here on changes are journaled (before,
     * the only changes are recovery's own).
     */
    public void recovered() {
        if (live) {
            return;
        }
        for (Store store : stores.values()) {
            try {
                for (Object session : store.sessions()) {
                    store.touch(session);
                }
            } catch (Exception e) {
                warnOnce("touch " + store.key(), "reprise: the sessions of " + store.key() + " restored at this start could "
                        + "not be marked accessed (" + e + "); they may expire earlier than their idle time says");
            }
        }
        live = true;
    }

    // ---- live: called by the glue's listener (SessionListener) ----------------------------------------------

    public void created(String key, String id, long creationTime, int maxInactiveSeconds) {
        if (recording(key)) {
            journal(key, CREATED, id, out -> {
                out.writeLong(creationTime);
                out.writeInt(maxInactiveSeconds);
                out.writeLong(idState(key));
            });
        }
    }

    public void attributeSet(String key, String id, String name, Object value) {
        if (!recording(key)) {
            return;
        }
        if (value == null) {
            attributeRemoved(key, id, name);
            return;
        }
        byte[] serialised = serialise(key, name, value);
        if (serialised != null) {
            journal(key, SET, id, out -> {
                out.writeUTF(name);
                out.writeInt(serialised.length);
                out.write(serialised);
            });
        }
    }

    public void attributeRemoved(String key, String id, String name) {
        if (recording(key)) {
            journal(key, REMOVED, id, out -> out.writeUTF(name));
        }
    }

    public void idChanged(String key, String oldId, String newId) {
        if (recording(key)) {
            journal(key, ID_CHANGED, oldId, out -> {
                out.writeUTF(newId);
                out.writeLong(idState(key));
            });
        }
    }

    /**
     * @param session the container's session, still holding its attributes: when the web application is being
     *     stopped, it is kept for the final snapshot instead, which may be taken after the container emptied itself
     */
    public void destroyed(String key, Object session) {
        Store store = stores.get(key);
        if (store != null && store.stopping()) {
            try {
                byte[] kept = sessionBytes(store, session);
                if (kept != null) {
                    stopped.computeIfAbsent(key, k -> new ConcurrentHashMap<>()).put(HttpSessions.id(session), kept);
                }
            } catch (IOException | RuntimeException e) {
                failed(key, "kept at stop", e instanceof RuntimeException r ? r : new IllegalStateException(e));
            }
            return;
        }
        if (recording()) {
            journal(key, DESTROYED, HttpSessions.id(session), out -> { });
        }
    }

    /** A listener callback failed inside Reprise: the session change is not journaled. Never thrown at the application. */
    public void failed(String key, String what, RuntimeException e) {
        warnOnce("failed " + key + " " + what, "reprise: a session change in " + key + " (" + what + ") could not be "
                + "journaled: " + e + "; after a restart the session may lack it");
    }

    /**
     * Journaled live, outside journaled requests: inside one (the order is held by this thread), replaying the
     * request makes the change again.
     */
    private boolean recording() {
        return live && !writePath.inOrderOnThisThread();
    }

    /** Not journaled while the web application is being stopped: see {@link Store#stopping()}. */
    private boolean recording(String key) {
        if (!recording()) {
            return false;
        }
        Store store = stores.get(key);
        return store == null || !store.stopping();
    }

    private long idState(String key) {
        Store store = stores.get(key);
        return store == null ? 0 : store.idState();
    }

    /** What a record holds after its version, operation and session id. */
    @FunctionalInterface
    private interface Fields {
        void write(DataOutputStream out) throws IOException;
    }

    /** Journals one record: version, operation, session id, then {@code fields}; a refusal is counted and warned. */
    private void journal(String key, byte op, String id, Fields fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(RECORD_VERSION);
            out.writeByte(op);
            out.writeUTF(id);
            fields.write(out);
        } catch (IOException impossible) { // in memory
            throw new IllegalStateException(impossible);
        }
        String refused = writePath.appendRecord(TYPE, key, bytes.toByteArray());
        if (refused != null) {
            long n = unjournaled.incrementAndGet();
            if (n == 1 || n % 1000 == 0) {
                LOG.log(Level.WARNING, "reprise: a session change in " + key + " was not journaled (" + refused + "); "
                        + n + " so far. A restart brings the session back without it");
            }
        }
    }

    /** The value's Java serialisation, or null (warned once per attribute and class) when it has none. */
    private byte[] serialise(String key, String name, Object value) {
        try {
            return serialise(value);
        } catch (IOException | RuntimeException e) {
            warnOnce("attr " + key + " " + name + " " + value.getClass().getName(), "reprise: session attribute \"" + name
                    + "\" (" + value.getClass().getName() + ") in " + key + " cannot be serialised (" + e + "): it is "
                    + "neither journaled nor kept in snapshots, so after a restart its session is back without it. Make it "
                    + "Serializable, or keep it out of the session");
            return null;
        }
    }

    static byte[] serialise(Object value) throws IOException {
        if (!(value instanceof Serializable)) {
            throw new java.io.NotSerializableException(value.getClass().getName());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    static Object deserialise(byte[] bytes, ClassLoader loader) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    return super.resolveClass(desc);
                }
            }
        }) {
            return in.readObject();
        }
    }

    private void warnOnce(String key, String message) {
        if (warned.size() < MAX_WARNINGS && warned.add(key)) {
            LOG.log(Level.WARNING, message);
        }
    }

    // ---- replay ---------------------------------------------------------------------------------------------

    /**
     * Applies one session record during recovery. Applying is idempotent (a session that exists is not made again, an
     * id that is gone is not changed), since a snapshot taken while a read changed a session may already hold the
     * change whose record follows it. A record of a web application that is not deployed, or an attribute whose class
     * is gone, is skipped with a warning: sessions are never a reason not to start.
     */
    public Outcome replay(JournalEntry entry) throws Exception {
        Store store = stores.get(entry.target());
        if (store == null) {
            warnOnce("no store " + entry.target(), "reprise: the journal holds session records of " + entry.target()
                    + ", which is not deployed in this process (or its container's sessions are not supported, or reprise.sessions=false); they are "
                    + "skipped, first at journal position " + entry.position());
            return APPLIED;
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(entry.body()));
        int version = in.readUnsignedByte();
        if (version != RECORD_VERSION) {
            throw new IOException("session record version " + version + " at journal position " + entry.position()
                    + " is not one this version of Reprise reads (" + RECORD_VERSION + ")");
        }
        byte op = in.readByte();
        String id = in.readUTF();
        Object session = store.find(id);
        switch (op) {
            case CREATED -> {
                long creationTime = in.readLong();
                int maxInactive = in.readInt();
                store.restoreIdState(in.readLong());
                if (session == null) {
                    store.create(id, creationTime, maxInactive);
                }
            }
            case SET -> {
                String name = in.readUTF();
                byte[] value = in.readNBytes(in.readInt());
                if (session != null) {
                    Object restored = restore(store, name, value, "journal position " + entry.position());
                    if (restored != null) {
                        HttpSessions.setAttribute(session, name, restored);
                    }
                }
            }
            case REMOVED -> {
                String name = in.readUTF();
                if (session != null) {
                    HttpSessions.removeAttribute(session, name);
                }
            }
            case ID_CHANGED -> {
                String newId = in.readUTF();
                store.restoreIdState(in.readLong());
                if (session != null && store.find(newId) == null) {
                    store.changeId(session, newId);
                }
            }
            case DESTROYED -> {
                if (session != null) {
                    HttpSessions.invalidate(session);
                }
            }
            default -> throw new IOException("session record at journal position " + entry.position()
                    + " has operation " + op + ", which this version of Reprise does not know");
        }
        return APPLIED;
    }

    private Object restore(Store store, String name, byte[] value, String where) {
        try {
            return deserialise(value, store.classLoader());
        } catch (Exception | LinkageError e) {
            warnOnce("restore " + store.key() + " " + name, "reprise: session attribute \"" + name + "\" in "
                    + store.key() + " (" + where + ") cannot be deserialised: " + e + "; its session is restored without it");
            return null;
        }
    }

    // ---- the "sessions" section of a snapshot ---------------------------------------------------------------

    @Override
    public String name() {
        return "sessions";
    }

    @Override
    public int version() {
        return SECTION_VERSION;
    }

    /**
     * Per web application: its key, its {@link Store#idState()} and its sessions, each with id, creation time, last
     * access, idle limit and its serialisable attributes.
     */
    @Override
    public void write(OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        List<Store> all = new ArrayList<>(stores.values());
        out.writeInt(all.size());
        for (Store store : all) {
            out.writeUTF(store.key());
            out.writeLong(store.idState());
            List<byte[]> sessions = new ArrayList<>();
            List<Object> held;
            try {
                held = store.sessions();
            } catch (Exception e) {
                throw new IOException("cannot list the sessions of " + store.key() + ": " + e, e);
            }
            Set<String> ids = new java.util.HashSet<>();
            for (Object session : held) {
                byte[] one = sessionBytes(store, session);
                if (one != null) {
                    sessions.add(one);
                    ids.add(HttpSessions.id(session));
                }
            }
            stopped.getOrDefault(store.key(), Map.of()).forEach((id, kept) -> {
                if (!ids.contains(id)) {
                    sessions.add(kept); // invalidated by the container's stop, after which this final snapshot runs
                }
            });
            out.writeInt(sessions.size());
            for (byte[] one : sessions) {
                out.write(one);
            }
        }
        out.flush();
    }

    /** One session's bytes, or null when it was invalidated meanwhile. */
    private byte[] sessionBytes(Store store, Object session) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeUTF(HttpSessions.id(session));
            out.writeLong(HttpSessions.creationTime(session));
            out.writeLong(HttpSessions.lastAccessedTime(session));
            out.writeInt(HttpSessions.maxInactiveInterval(session));
            List<String> names = HttpSessions.attributeNames(session);
            List<Object[]> kept = new ArrayList<>();
            for (String name : names) {
                Object value = HttpSessions.getAttribute(session, name);
                byte[] serialised = value == null ? null : serialise(store.key(), name, value);
                if (serialised != null) {
                    kept.add(new Object[] {name, serialised});
                }
            }
            out.writeInt(kept.size());
            for (Object[] attribute : kept) {
                out.writeUTF((String) attribute[0]);
                byte[] value = (byte[]) attribute[1];
                out.writeInt(value.length);
                out.write(value);
            }
        } catch (IllegalStateException invalidated) {
            return null;
        }
        out.flush();
        return bytes.toByteArray();
    }

    @Override
    public void restore(int version, InputStream stream) throws IOException {
        if (version != SECTION_VERSION) {
            throw new IOException("sessions section version " + version + " is not one this version of Reprise reads ("
                    + SECTION_VERSION + ")");
        }
        reset();
        DataInputStream in = new DataInputStream(stream);
        int storeCount = in.readInt();
        for (int s = 0; s < storeCount; s++) {
            String key = in.readUTF();
            long idState = in.readLong();
            Store store = stores.get(key);
            if (store != null) {
                store.restoreIdState(idState);
            }
            int count = in.readInt();
            if (store == null && count > 0) {
                warnOnce("no store " + key, "reprise: the snapshot holds " + count + " session(s) of " + key
                        + ", which is not deployed in this process; they are skipped");
            }
            for (int i = 0; i < count; i++) {
                String id = in.readUTF();
                long creationTime = in.readLong();
                in.readLong(); // last accessed: see the class comment
                int maxInactive = in.readInt();
                int attributes = in.readInt();
                Object session = null;
                if (store != null) {
                    try {
                        session = store.create(id, creationTime, maxInactive);
                    } catch (Exception e) {
                        throw new IOException("cannot make session " + id + " of " + key + ": " + e, e);
                    }
                }
                for (int a = 0; a < attributes; a++) {
                    String name = in.readUTF();
                    byte[] value = in.readNBytes(in.readInt());
                    if (session != null) {
                        Object restored = restore(store, name, value, "snapshot");
                        if (restored != null) {
                            HttpSessions.setAttribute(session, name, restored);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void reset() {
        for (Store store : stores.values()) {
            try {
                store.removeAll();
            } catch (Exception e) {
                throw new IllegalStateException("cannot drop the sessions of " + store.key() + ": " + e, e);
            }
        }
    }

    /** The servlet API's {@code HttpSession} (either namespace), by {@link Reflect#invoke}. */
    static final class HttpSessions {

        private HttpSessions() {
        }

        static String id(Object session) {
            return (String) Reflect.invoke(session, "getId");
        }

        static long creationTime(Object session) {
            return (Long) Reflect.invoke(session, "getCreationTime");
        }

        static long lastAccessedTime(Object session) {
            return (Long) Reflect.invoke(session, "getLastAccessedTime");
        }

        static int maxInactiveInterval(Object session) {
            return (Integer) Reflect.invoke(session, "getMaxInactiveInterval");
        }

        static Object getAttribute(Object session, String name) {
            return Reflect.invoke(session, "getAttribute", name);
        }

        static void setAttribute(Object session, String name, Object value) {
            Reflect.invoke(session, "setAttribute", name, value);
        }

        static void removeAttribute(Object session, String name) {
            Reflect.invoke(session, "removeAttribute", name);
        }

        static void invalidate(Object session) {
            try {
                Reflect.invoke(session, "invalidate");
            } catch (IllegalStateException alreadyInvalid) {
                // as wanted
            }
        }

        static List<String> attributeNames(Object session) {
            Enumeration<?> names = (Enumeration<?>) Reflect.invoke(session, "getAttributeNames");
            List<String> list = new ArrayList<>();
            for (Object n : Collections.list(names)) {
                list.add((String) n);
            }
            return list;
        }
    }
}
