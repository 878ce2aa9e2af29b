package io.reprise.agent.spi;

import java.util.Set;

/**
 * One server family the agent journals and replays through: the JDK's HTTP server, Tomcat, Jetty 12, and whatever
 * comes next. How to write one is in docs/architecture.md, "How to add a server".
 *
 * <p>Adapters are listed in {@code META-INF/services/io.reprise.agent.spi.ServerAdapter} of the agent and found by
 * {@link java.util.ServiceLoader} in the agent's own class loader, never the application's (C8), in the order of
 * that file. An implementation is public, has a public constructor without parameters, and does nothing in it or in
 * a static initialiser. No Byte Buddy type appears in its fields or signatures: Byte Buddy is loaded only once a
 * {@linkplain Weaving#heralds() herald} class of some adapter is seen, so an application on the JDK server never pays
 * for it.
 *
 * <p>What every adapter must do, besides what these methods say, is a contract on its hooks: <b>on the thread that is
 * about to make a port accept connections, and before it does</b>, call
 * {@link RecoveryGate#recoverBeforeServing context.recovery().recoverBeforeServing(replayer)} (C4). The replayer runs
 * each journaled request in-process through the server's own pipeline, the entry live requests pass, with the
 * response discarded, and returns the outcome the live code computes for it. Live, a journaled request goes through
 * {@link JournalGate#apply}; everything else the server receives runs untouched (C3).
 */
public interface ServerAdapter {

    /** A short lower-case id ("jdkhttp", "tomcat", "jetty"), unique among the adapters. */
    String name();

    /**
     * What it supports, for the line that names an unsupported server and for diagnostics: for example "Tomcat 9,
     * 10.1 and 11, embedded or in Spring Boot". Empty for an adapter that journals nothing (the unsupported-servers
     * adapter).
     */
    String supports();

    /**
     * The server families it serves; the unsupported-servers adapter does not name a family that some adapter
     * serves. Default: {@link #name()}.
     */
    default Set<String> families() {
        return Set.of(name());
    }

    /**
     * Called once in {@code premain}, after the configuration is read and before the application's classes load,
     * in the order of the services file. Keep the context; install what needs no weaving (the JDK server's provider
     * property); register snapshot sections. It must be cheap and must not load the server's classes. An exception
     * stops the agent from starting, with the adapter's name.
     */
    void install(AdapterContext context);

    /** What it weaves into the server's classes, asked once after every adapter's {@link #install}. */
    default Weaving weaving() {
        return Weaving.NONE;
    }
}
