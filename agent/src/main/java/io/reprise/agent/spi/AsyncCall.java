package io.reprise.agent.spi;

import io.reprise.agent.writepath.WritePath;
import io.reprise.journal.Header;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A journaled request of an asynchronous server (one whose handler completes later, on another thread: a
 * {@code Mono}, a Vert.x {@code Future}), handed to {@link JournalGate#submit}. The adapter implements it; the agent
 * calls it back, each callback on {@link #executor()}, never on the thread that submitted it:
 *
 * <ol>
 *   <li>{@link #start}: the order is held and the request is in the journal. Start the handler and return without
 *       waiting for it; when its response is complete and buffered, call {@link RequestHandle#complete}.</li>
 *   <li>{@link #durable}: the request's outcome is as durable as {@code reprise.sync} asks. Send the buffered
 *       response now, not before (C1).</li>
 * </ol>
 *
 * Or, instead of either, {@link #refused}: the request was not applied (the queue was full, the journal is
 * unavailable) or did not complete within {@code reprise.journal.timeout}. Exactly one of {@link #durable} and
 * {@link #refused} is called, once.
 */
public interface AsyncCall {

    String method();

    /** The request target as received: the raw path and query. */
    String target();

    List<Header> headers();

    /** The whole body, read before submitting (at most {@link JournalGate#maxBody()}); empty, not null, if none. */
    byte[] body();

    /** The first request of an Idempotency-Key, from {@code Idempotency.admit}, or null. */
    WritePath.Keyed keyed();

    /** Where the callbacks run: the request's event loop, say. */
    Executor executor();

    /** The order is held and the request appended: start the handler, do not block. An exception it throws is the outcome. */
    void start(RequestHandle handle) throws Exception;

    /** The outcome is durable: send the buffered response. */
    void durable(long position);

    /**
     * Not applied, or not complete in time: answer {@code status} (503) with {@code reason}. A response the handler
     * completes after a timeout is dropped.
     */
    void refused(int status, String reason);
}
