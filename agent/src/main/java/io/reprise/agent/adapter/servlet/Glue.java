package io.reprise.agent.adapter.servlet;

import java.util.Set;

/**
 * The part of the servlet adapter that needs servlet API types, once per namespace ({@code jakarta.servlet},
 * {@code javax.servlet}) and per class loader that defined that API. Its signature has JDK types only, so the
 * rest of the adapter never links against a servlet API.
 *
 * <p>Implementations ({@code adapter.servlet.jakarta.ServletGlue}, and {@code adapter.servlet.javax.ServletGlue}
 * generated from it) are defined by a {@link GlueLoader}.
 */
public interface Glue {

    /** Set on a request once Reprise took it, so that nested entries (filters, the servlet) pass it through. */
    String TAKEN = "io.reprise.agent.journaled";

    /**
     * Whether {@code request}, at an entry into the application, is the outermost entry of a request that
     * Reprise journals (live) or replays: a {@code REQUEST} dispatch, not yet seen, with a journaled method and
     * path. Must be cheap: it runs for every request and every nested filter.
     */
    boolean journaled(Object request);

    /**
     * Runs the application for a journaled request: reads the body (no lock held), then, in the write path's
     * order, appends it and runs {@code proceed} with a request that replays the body from memory and a response
     * that buffers; then sends the buffered response. While recovering, runs {@code proceed} the same way
     * without journaling.
     *
     * @param formMethods the methods whose {@code application/x-www-form-urlencoded} body the container itself
     *     would parse into request parameters
     */
    void handle(Object request, Object response, Proceed proceed, Set<String> formMethods) throws Exception;

    /**
     * A listener of this namespace's {@code HttpSessionListener}, {@code HttpSessionAttributeListener} and
     * {@code HttpSessionIdListener} that tells {@code records} every session change of the web application
     * {@code key}; the container adapter adds it to the web application. Null when the glue could not be linked.
     */
    Object sessionListener(SessionRecords records, String key);
}
