package io.reprise.agent.spi;

import io.reprise.journal.Outcome;

/**
 * An asynchronous journaled request while it holds the order ({@link AsyncCall#start}). Thread-safe: any thread of the
 * request may complete it.
 */
public interface RequestHandle {

    /** The request's position in the journal. */
    long position();

    /**
     * Makes this request current on the calling thread until the scope closes: the clock, UUID and random values its
     * code takes there are recorded in its outcome (replayed on recovery), and
     * {@link JournalGate#inOrderOnThisThread()} is true. Enter on every thread the request's code runs on (its own
     * continuations); {@link AsyncCall#start} is already entered. Values taken after {@link #complete} are not recorded.
     */
    Scope enter();

    /**
     * The response is complete and buffered; the order is released and the next request may start. Returns false
     * when the request had already ended (it timed out, and was refused): the response must then be dropped.
     */
    boolean complete(Outcome outcome);

    /** As {@link #complete}, with the exception the handler ended with ({@link Outcome#threw}). */
    boolean fail(Throwable thrown);

    /** An entered request; closing it ends what {@link #enter()} began on this thread. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
