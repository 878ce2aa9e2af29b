package io.reprise.agent.spi;

import io.reprise.agent.idempotency.Idempotency;
import io.reprise.agent.snapshot.SnapshotSection;
import java.util.function.Supplier;

/**
 * What an adapter gets from the agent: the write path, recovery, and the few settings and services adapters share.
 * Adapters depend on this and never on the agent's core classes.
 */
public interface AdapterContext {

    /** The write path of journaled requests (C1, C2, C9). */
    JournalGate journal();

    /** Recovery, which the adapter runs before its port opens (C4). */
    RecoveryGate recovery();

    /** Idempotency-Key handling, shared by every adapter ({@code reprise.idempotency.*}). */
    Idempotency idempotency();

    /** {@code reprise.sessions}: whether container sessions are journaled. */
    boolean sessions();

    /**
     * Adds state of the agent's own (a container's sessions) to every snapshot, as a section, and to recovery; only
     * from {@link ServerAdapter#install}.
     */
    void addSnapshotSection(SnapshotSection section);

    /**
     * Logs, once per distinct {@code server} text per JVM, the WARNING that a server is not supported: its requests
     * are not journaled and the journal is not replayed through it. The line names what the adapters do support.
     */
    void unsupported(String server);

    /** Whether some installed adapter serves this server family ({@link ServerAdapter#families()}). */
    boolean served(String family);

    /**
     * One object per agent for {@code key}, made by {@code factory} on the first call: how the adapters of one
     * family (Tomcat and Jetty share the servlet adapter's kit) share state without a static field.
     */
    <T> T shared(Class<T> key, Supplier<T> factory);
}
