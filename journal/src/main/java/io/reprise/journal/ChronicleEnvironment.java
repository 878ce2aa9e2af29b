package io.reprise.journal;

/**
 * What it takes for Chronicle Queue to behave inside someone else's JVM: no banner, no usage
 * analytics, no native libraries unpacked into the user's home directory, and class lookups through
 * the journal's own class loader rather than the application's.
 *
 * <p>Invariant: this class references no Chronicle class, so {@link #prepare()} can run before any of
 * them initialises (they read these properties in their static initialisers). It references one class of
 * Chronicle's posix layer, {@code PosixAPIHolder}, which has no static initialiser.
 */
final class ChronicleEnvironment {

    private static final ClassLoader JOURNAL_LOADER = ChronicleEnvironment.class.getClassLoader();

    private ChronicleEnvironment() {
        throw new AssertionError("not instantiable");
    }

    /**
     * Sets the system properties that keep Chronicle quiet and local, unless the user set them.
     * Must run before the first Chronicle class initialises; {@link Journal}'s static initialiser
     * calls it.
     */
    static void prepare() {
        // Brief C8: the agent makes no network connection of its own; Chronicle would send usage
        // analytics (the artifact is also excluded from the build) and print a banner.
        setIfAbsent("chronicle.analytics.disable", "true");
        setIfAbsent("chronicle.announcer.disable", "true");
        // JNA is left out of the agent (pom.xml), but an embedding that ships it would unpack its native library into
        // ~/.cache otherwise; the home directory may be read-only or shared in a container.
        setIfAbsent("jna.tmpdir", System.getProperty("java.io.tmpdir"));
        // Chronicle's core preloads its native posix layer when it initialises: jnr-ffi, which generates
        // machine-code stubs at run time, some 250 classes and most of a second on a small machine. The journal
        // needs none of it: it forces its files with its own fdatasync (never Chronicle's msync sync modes), and
        // the rest are hints (madvise) and thread pinning. A no-op layer set before Chronicle looks keeps it out.
        if (net.openhft.posix.internal.PosixAPIHolder.POSIX_API == null) {
            net.openhft.posix.internal.PosixAPIHolder.useNoOpPosixApi();
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null && value != null) {
            System.setProperty(key, value);
        }
    }

    /**
     * Makes the journal's class loader the calling thread's context class loader, for the duration
     * of a Chronicle call: Chronicle resolves classes (its own wire types among them) through the
     * context loader, and on an application thread that is the application's loader, which cannot
     * see the agent's isolated copy of Chronicle. Cheap enough for the append path: two field reads
     * when the loader is already right.
     *
     * @return the loader to hand back to {@link #exit}
     */
    static ClassLoader enter() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        if (previous != JOURNAL_LOADER) {
            thread.setContextClassLoader(JOURNAL_LOADER);
        }
        return previous;
    }

    /** Restores the context class loader that {@link #enter} replaced. */
    static void exit(ClassLoader previous) {
        if (previous != JOURNAL_LOADER) {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }
}
