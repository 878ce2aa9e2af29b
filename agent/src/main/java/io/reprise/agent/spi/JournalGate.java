package io.reprise.agent.spi;

import io.reprise.agent.writepath.WritePath;
import io.reprise.journal.Header;
import java.util.List;

/**
 * The write path as adapters see it: which requests are journaled, how large a body may be, and the one call that
 * journals a request and applies it in the journal's order. Implemented by {@link WritePath}.
 */
public interface JournalGate {

    /**
     * Whether requests with this method are journaled at some path ({@code reprise.journal.methods}): a cheap test
     * before anything else is read of the request.
     */
    boolean journalsMethod(String method);

    /**
     * Whether a request is journaled: its method is one of {@code reprise.journal.methods} and its path is not
     * excluded ({@code reprise.journal.exclude}).
     *
     * @param rawPath    the request's path as sent, escapes kept
     * @param routedPath the decoded path the server routes on (context path, servlet path and path info)
     */
    boolean journals(String method, String rawPath, String routedPath);

    /** The largest body a journaled request may have ({@code reprise.journal.max-body}); past it, {@code 413}. */
    int maxBody();

    /**
     * Appends the request to the journal, runs {@code application} in the journal's order (no other journaled request
     * runs meanwhile), appends its outcome, releases the order, and returns once the entry is as durable as
     * {@code reprise.sync} asks, so that no response leaves before that (C1, C2, C9). Returns the entry's position.
     *
     * @param keyed the first request of an Idempotency-Key, from {@link io.reprise.agent.idempotency.Idempotency}, or
     *     null
     * @throws io.reprise.agent.writepath.JournalUnavailableException when the request could not be journaled (it
     *     was then not applied); adapters answer it with {@code 503}
     */
    long apply(String method, String target, List<Header> headers, byte[] body, WritePath.Keyed keyed,
               WritePath.Application application) throws Exception;

    /**
     * The asynchronous form of {@link #apply}, for servers whose handlers complete later on another thread. Never
     * blocks: the request joins a queue of at most {@code reprise.journal.queue} requests (past it, it is refused with
     * {@code 503}), and the agent's order thread takes it into the order in turn, with the synchronous requests, and
     * calls {@link AsyncCall#start} on the call's executor. The order is released when the handle is completed, or
     * after {@code reprise.journal.timeout}: the request is then journaled as having thrown
     * {@code io.reprise.agent.JournalTimeout}, refused with {@code 503}, and its late response dropped. A slow client
     * does not hold the order (C2), since the body was read before and the response is sent after.
     */
    void submit(AsyncCall call);

    /**
     * Appends a record of the agent's own (a session change) in the journal's order, outside any request. Returns
     * null when it was appended, else why not.
     */
    String appendRecord(String type, String target, byte[] body);

    /** Whether the calling thread is running a journaled request, inside the order. */
    boolean inOrderOnThisThread();
}
