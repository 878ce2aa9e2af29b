package io.reprise.agent.config;

/** When the journal is forced to disk; see {@code reprise.sync} in docs/configuration.md. */
public enum SyncMode {
    /** The page cache holds the journal: survives a process crash, not a machine crash. */
    NONE,
    /** An fsync at least every {@code reprise.sync.interval}; responses do not wait for it. */
    BATCH,
    /** A response is let go only after an fsync covering its entry; concurrent writers share fsyncs. */
    ALWAYS
}
