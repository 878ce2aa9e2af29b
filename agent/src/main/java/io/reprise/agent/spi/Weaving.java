package io.reprise.agent.spi;

import java.util.List;

/**
 * What an adapter weaves into a server's classes, described by names only, so that describing it loads neither Byte
 * Buddy nor the server.
 *
 * @param heralds internal-name prefixes ({@code "org/apache/catalina/"}) whose first loaded class starts building
 *     the weaver in the background, early enough that the build runs while the server is still starting
 * @param types   every class the adapter weaves; only these reach Byte Buddy, and their loading waits for the weaver;
 *     every other class passes after one lookup. Advice applies only to classes among them, whatever the advice
 *     names, so the two cannot drift apart
 * @param declare the advice on those classes, declared on the weaver's build thread, once, and only when some herald
 *     or woven class was loaded
 */
public record Weaving(List<String> heralds, TypeNames types, Declaration declare) {

    /** An adapter that weaves nothing (the JDK server, which hooks in through a system property). */
    public static final Weaving NONE = new Weaving(List.of(), TypeNames.none(), weaver -> { });

    public Weaving {
        heralds = List.copyOf(heralds);
    }

    /** Declares the advice of one adapter. */
    @FunctionalInterface
    public interface Declaration {
        void on(Weaver weaver);
    }
}
