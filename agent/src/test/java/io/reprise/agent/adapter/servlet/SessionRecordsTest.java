package io.reprise.agent.adapter.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.agent.config.SyncMode;
import io.reprise.agent.writepath.Durability;
import io.reprise.agent.writepath.WritePath;
import io.reprise.journal.Journal;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.JournalReader;
import io.reprise.journal.Outcome;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session records on a real journal and a container stand-in: what is journaled live and when, what replay and a
 * snapshot's section rebuild. The containers' own wiring is tested by SpringSecuritySessionsIT.
 */
class SessionRecordsTest {

    static final String KEY = "tomcat:localhost|";

    @TempDir
    Path dir;

    private Journal journal;
    private WritePath writePath;
    private FakeContainer live;
    private SessionRecords records;

    @BeforeEach
    void open() throws Exception {
        journal = Journal.open(dir.resolve("journal"));
        writePath = new WritePath(Set.of("POST"), List.of(), 1_000_000, 1 << 20);
        writePath.open(journal, Durability.of(SyncMode.NONE, journal::force, Duration.ofSeconds(1), r -> { }), 1 << 20, 0,
                () -> { });
        live = new FakeContainer();
        records = new SessionRecords(writePath);
        records.register(live);
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        journal.close();
    }

    private List<JournalEntry> journaled() {
        List<JournalEntry> all = new ArrayList<>();
        try (JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            for (JournalEntry e; (e = reader.next()) != null; ) {
                all.add(e);
            }
        }
        return all;
    }

    /** What a GET /login does to the session in Spring Security, as its listener would tell it. */
    private FakeSession getLogin(String id) {
        FakeSession s = live.create(id, 1_000, 1800);
        records.created(KEY, id, 1_000, 1800);
        s.setAttribute("csrf", "token-1");
        records.attributeSet(KEY, id, "csrf", "token-1");
        return s;
    }

    @Test
    void nothingIsJournaledBeforeRecoveryIsDone() {
        getLogin("A");
        assertThat(journaled()).isEmpty();
    }

    @Test
    void changesOutsideJournaledRequestsAreReplayedInOrderWithTheSameIds() throws Exception {
        records.recovered();
        getLogin("A");
        FakeSession a = live.sessions.get("A");
        a.setAttribute("cart", new ArrayList<>(List.of("tea")));
        records.attributeSet(KEY, "A", "cart", a.getAttribute("cart"));
        records.attributeRemoved(KEY, "A", "csrf");
        records.idChanged(KEY, "A", "B");
        live.create("C", 2_000, 60);
        records.created(KEY, "C", 2_000, 60);
        records.destroyed(KEY, live.create("C", 2_000, 60));

        List<JournalEntry> entries = journaled();
        assertThat(entries).hasSize(7).allMatch(JournalEntry::agentRecord)
                .allMatch(e -> e.recordType().equals(SessionRecords.TYPE) && e.target().equals(KEY));

        FakeContainer restarted = new FakeContainer();
        SessionRecords replay = new SessionRecords(writePath);
        replay.register(restarted);
        for (JournalEntry e : entries) {
            assertThat(replay.replay(e)).isEqualTo(Outcome.answered(200, 0));
        }
        assertThat(restarted.sessions.keySet()).containsExactly("B");
        FakeSession b = restarted.sessions.get("B");
        assertThat(b.getCreationTime()).isEqualTo(1_000);
        assertThat(b.getMaxInactiveInterval()).isEqualTo(1800);
        assertThat(b.attributes).containsOnlyKeys("cart").containsEntry("cart", List.of("tea"));

        // A snapshot taken while a read changed a session holds the change whose record comes after the snapshot's
        // position: applying the last records again changes nothing.
        for (JournalEntry e : entries.subList(3, entries.size())) {
            replay.replay(e);
        }
        assertThat(restarted.sessions.keySet()).containsExactly("B");
        assertThat(restarted.sessions.get("B").attributes).containsOnlyKeys("cart");
    }

    @Test
    void replayContinuesTheContainersIdCounterWhereLiveLeftIt() throws Exception {
        records.recovered();
        live.idState = 7; // Jetty's counter after it made the id
        getLogin("A");
        live.idState = 9;
        records.idChanged(KEY, "A", "B");
        live.idState = 12; // at the snapshot
        ByteArrayOutputStream section = new ByteArrayOutputStream();
        records.write(section);

        FakeContainer restarted = new FakeContainer();
        SessionRecords replay = new SessionRecords(writePath);
        replay.register(restarted);
        List<JournalEntry> entries = journaled();
        replay.replay(entries.get(0));
        assertThat(restarted.idState).isEqualTo(7);
        replay.replay(entries.get(1));
        replay.replay(entries.get(2));
        assertThat(restarted.idState).isEqualTo(9);
        replay.restore(SessionRecords.SECTION_VERSION, new ByteArrayInputStream(section.toByteArray()));
        assertThat(restarted.idState).isEqualTo(12);
    }

    @Test
    void insideAJournaledRequestNothingIsJournaledSinceReplayingTheRequestMakesTheChange() throws Exception {
        records.recovered();
        writePath.whileNoRequestRuns(() -> {
            getLogin("A");
            return null;
        });
        assertThat(journaled()).isEmpty();
    }

    @Test
    void anAttributeThatCannotBeSerialisedIsLeftOutAndTheRestIsKept() throws Exception {
        records.recovered();
        getLogin("A");
        records.attributeSet(KEY, "A", "socket", new Object());
        assertThat(journaled()).hasSize(2); // created, csrf
        assertThat(SessionRecords.serialise("fine")).isNotEmpty();
    }

    @Test
    void theContainersStopIsNotJournaledAndItsSessionsStayInTheFinalSnapshot() throws Exception {
        records.recovered();
        FakeSession a = getLogin("A");
        live.stopping = true;
        records.destroyed(KEY, a); // the container invalidates every session as it stops
        records.attributeRemoved(KEY, "A", "csrf");
        live.sessions.clear();
        assertThat(journaled()).hasSize(2);

        ByteArrayOutputStream section = new ByteArrayOutputStream();
        records.write(section);
        FakeContainer restarted = new FakeContainer();
        SessionRecords restore = new SessionRecords(writePath);
        restore.register(restarted);
        restore.restore(SessionRecords.SECTION_VERSION, new ByteArrayInputStream(section.toByteArray()));
        assertThat(restarted.sessions.keySet()).containsExactly("A");
        assertThat(restarted.sessions.get("A").attributes).containsEntry("csrf", "token-1");
    }

    @Test
    void aSnapshotSectionReplacesTheSessionsWholesale() throws Exception {
        records.recovered();
        getLogin("A");
        getLogin("B").setAttribute("unserialisable", new Object());
        ByteArrayOutputStream section = new ByteArrayOutputStream();
        records.write(section);

        FakeContainer restarted = new FakeContainer();
        restarted.create("stale", 5, 5);
        SessionRecords restore = new SessionRecords(writePath);
        restore.register(restarted);
        restore.restore(SessionRecords.SECTION_VERSION, new ByteArrayInputStream(section.toByteArray()));
        assertThat(restarted.sessions.keySet()).containsExactlyInAnyOrder("A", "B");
        assertThat(restarted.sessions.get("B").attributes).containsOnlyKeys("csrf");
        restore.reset();
        assertThat(restarted.sessions).isEmpty();
    }

    /** A container's sessions of one web application. */
    static final class FakeContainer implements SessionRecords.Store {
        final Map<String, FakeSession> sessions = new LinkedHashMap<>();
        boolean stopping;
        long idState;

        @Override
        public long idState() {
            return idState;
        }

        @Override
        public void restoreIdState(long state) {
            idState = Math.max(idState, state);
        }

        @Override
        public String key() {
            return KEY;
        }

        @Override
        public ClassLoader classLoader() {
            return getClass().getClassLoader();
        }

        @Override
        public Object find(String id) {
            return sessions.get(id);
        }

        @Override
        public FakeSession create(String id, long creationTime, int maxInactiveSeconds) {
            FakeSession s = new FakeSession(this, id, creationTime, maxInactiveSeconds);
            sessions.put(id, s);
            return s;
        }

        @Override
        public void changeId(Object session, String newId) {
            FakeSession s = (FakeSession) session;
            sessions.remove(s.id);
            s.id = newId;
            sessions.put(newId, s);
        }

        @Override
        public List<Object> sessions() {
            return new ArrayList<>(sessions.values());
        }

        @Override
        public void removeAll() {
            sessions.clear();
        }

        @Override
        public void touch(Object session) {
            ((FakeSession) session).accessed = System.currentTimeMillis();
        }

        @Override
        public boolean stopping() {
            return stopping;
        }
    }

    /** The parts of HttpSession that Reprise uses. */
    @SuppressWarnings("deprecation")
    public static final class FakeSession implements HttpSession {
        private final FakeContainer container;
        final Map<String, Object> attributes = new LinkedHashMap<>();
        String id;
        final long created;
        long accessed;
        int maxInactive;

        FakeSession(FakeContainer container, String id, long created, int maxInactive) {
            this.container = container;
            this.id = id;
            this.created = created;
            this.accessed = created;
            this.maxInactive = maxInactive;
        }

        @Override public long getCreationTime() { return created; }
        @Override public String getId() { return id; }
        @Override public long getLastAccessedTime() { return accessed; }
        @Override public ServletContext getServletContext() { return null; }
        @Override public void setMaxInactiveInterval(int interval) { maxInactive = interval; }
        @Override public int getMaxInactiveInterval() { return maxInactive; }
        @Override public Object getAttribute(String name) { return attributes.get(name); }
        @Override public Enumeration<String> getAttributeNames() { return Collections.enumeration(new ArrayList<>(attributes.keySet())); }
        @Override public void setAttribute(String name, Object value) { attributes.put(name, value); }
        @Override public void removeAttribute(String name) { attributes.remove(name); }
        @Override public void invalidate() { container.sessions.remove(id); }
        @Override public boolean isNew() { return false; }
        // Servlet 5's deprecated names.
        @Override public jakarta.servlet.http.HttpSessionContext getSessionContext() { return null; }
        @Override public Object getValue(String name) { return getAttribute(name); }
        @Override public String[] getValueNames() { return attributes.keySet().toArray(String[]::new); }
        @Override public void putValue(String name, Object value) { setAttribute(name, value); }
        @Override public void removeValue(String name) { removeAttribute(name); }
    }
}
