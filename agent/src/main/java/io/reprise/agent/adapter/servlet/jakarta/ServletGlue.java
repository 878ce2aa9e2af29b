package io.reprise.agent.adapter.servlet.jakarta;

import io.reprise.agent.adapter.servlet.Glue;
import io.reprise.agent.adapter.servlet.SessionRecords;
import io.reprise.agent.adapter.servlet.Proceed;
import io.reprise.agent.bridge.Determinism;
import io.reprise.agent.bridge.Tape;
import io.reprise.agent.adapter.servlet.ServletKit;
import io.reprise.agent.idempotency.Answer;
import io.reprise.agent.idempotency.Idempotency;
import io.reprise.agent.writepath.JournalUnavailableException;
import io.reprise.agent.writepath.RequestLimits;
import io.reprise.journal.Header;
import io.reprise.journal.Outcome;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

/**
 * The live flow for servlet containers, in servlet API types: the body is read before the order is taken,
 * the application runs in the write path's order against a {@link JournaledRequest} and a
 * {@link JournaledResponse}, and the buffered response goes out after the order is released (C1, C2).
 *
 * <p>The {@code javax.servlet} copy of this package is generated from this one by {@code agent/pom.xml}; edit
 * only this one.
 */
public final class ServletGlue implements Glue {

    static final String TAKEN = Glue.TAKEN;

    private final ServletKit adapter;

    public ServletGlue(ServletKit adapter) {
        this.adapter = adapter;
    }

    @Override
    public Object sessionListener(SessionRecords records, String key) {
        return new SessionListener(records, key);
    }

    @Override
    public boolean journaled(Object request) {
        if (!(request instanceof HttpServletRequest)) {
            return false;
        }
        HttpServletRequest r = (HttpServletRequest) request;
        String method = r.getMethod();
        return adapter.journalsMethod(method)
                && r.getDispatcherType() == DispatcherType.REQUEST
                && r.getAttribute(TAKEN) == null
                && adapter.journalsPath(method, r.getRequestURI(), routedPath(r));
    }

    /**
     * The path the container mapped the request on, decoded and normalised: the context's own path (not
     * {@code getContextPath()}, which is the raw part of the URI) with the servlet path and the path info. The
     * filter chain runs after the mapping, so Tomcat and Jetty have computed them.
     */
    static String routedPath(HttpServletRequest r) {
        String info = r.getPathInfo();
        String servletPath = r.getServletPath() + (info == null ? "" : info);
        return r.getServletContext().getContextPath() + servletPath;
    }

    @Override
    public void handle(Object request, Object response, Proceed proceed, Set<String> formMethods) throws Exception {
        HttpServletRequest live = (HttpServletRequest) request;
        HttpServletResponse liveResponse = (HttpServletResponse) response;
        live.setAttribute(TAKEN, Boolean.TRUE);
        String method = live.getMethod();
        if (adapter.replaying()) {
            // A journaled entry is replayed whatever reprise.journal.max-body says now: it was applied.
            byte[] body = live.getInputStream().readAllBytes();
            JournaledRequest journaled = new JournaledRequest(live, body, formMethods.contains(method), adapter);
            JournaledResponse buffered = new JournaledResponse(liveResponse);
            // The same outcome as live: what the response holds, or that the application threw. An exception is
            // kept for recovery to compare and not handed to the container, whose error page would only be
            // discarded (the replayed response goes nowhere).
            Outcome outcome;
            Tape outer = Determinism.begin(Determinism.takeArmed()); // the values recorded live, if any
            // A keyed entry whose outcome never made it to the journal gives its key the response replay makes.
            Idempotency keep = live.getHeader(Idempotency.HEADER) != null && adapter.idempotency().keyed(headers(live))
                    ? adapter.idempotency() : null;
            try {
                proceed.run(journaled, buffered);
                outcome = buffered.outcome(keep);
            } catch (Exception | Error e) {
                adapter.replayed(Outcome.threw(e.getClass().getName(), e.getMessage()));
                return;
            } finally {
                Determinism.end(outer);
            }
            adapter.replayed(outcome);
            buffered.finish();
            return;
        }
        String target = target(live);
        List<Header> headers = headers(live);
        String tooLarge = RequestLimits.headersTooLarge(method, target, headers);
        if (tooLarge != null) {
            refuseUnread(live, liveResponse, RequestLimits.HEADERS_TOO_LARGE, tooLarge);
            return;
        }
        int maxBody = adapter.writePath().maxBody();
        // No lock held: a slow client stalls only itself. Bounded: a body over the limit is refused before it is
        // read (Content-Length) or as soon as it crosses the limit (chunked), and its rest is left unread.
        byte[] body = RequestLimits.readBody(live.getInputStream(), live.getContentLengthLong(), maxBody);
        if (body == null) {
            refuseUnread(live, liveResponse, RequestLimits.BODY_TOO_LARGE, RequestLimits.bodyTooLarge(maxBody));
            return;
        }
        JournaledRequest journaled = new JournaledRequest(live, body, formMethods.contains(method), adapter);
        JournaledResponse buffered = new JournaledResponse(liveResponse);
        // Nothing between the admission and the write path can fail: apply releases a key it took in flight.
        Idempotency idempotency = adapter.idempotency();
        Idempotency.Admission admission = idempotency.admit(method, target, live.getRequestURI(), routedPath(live),
                headers, body);
        if (admission.answer() != null) {
            answer(liveResponse, admission.answer());
            return;
        }
        Idempotency keep = admission.ticket() == null ? null : idempotency;
        try {
            adapter.writePath().apply(method, target, headers, body, admission.ticket(), () -> {
                proceed.run(journaled, buffered);
                return buffered.outcome(keep);
            });
        } catch (JournalUnavailableException e) {
            refuse503(liveResponse, e.getMessage());
            return;
        }
        buffered.finish();
    }

    /** The request target as received: raw path (with the context path) and raw query. */
    static String target(HttpServletRequest r) {
        String query = r.getQueryString();
        return query == null ? r.getRequestURI() : r.getRequestURI() + "?" + query;
    }

    static List<Header> headers(HttpServletRequest r) {
        List<Header> list = new ArrayList<>();
        Enumeration<String> names = r.getHeaderNames();
        while (names != null && names.hasMoreElements()) {
            String name = names.nextElement();
            Enumeration<String> values = r.getHeaders(name);
            while (values != null && values.hasMoreElements()) {
                list.add(new Header(name, values.nextElement()));
            }
        }
        return list;
    }

    /** An answer made without the application: a stored response of an Idempotency-Key, or a refusal of one. */
    private static void answer(HttpServletResponse response, Answer answer) throws IOException {
        response.resetBuffer();
        response.setStatus(answer.status());
        for (Header h : answer.headers()) {
            if (h.name().equalsIgnoreCase("Content-Type")) {
                response.setContentType(h.value());
            } else {
                response.addHeader(h.name(), h.value());
            }
        }
        response.setContentLength(answer.body().length);
        if (answer.body().length > 0) {
            response.getOutputStream().write(answer.body());
        }
    }

    /** The journal could not take the request: it was not applied, its body was read, try again shortly. */
    private static void refuse503(HttpServletResponse response, String reason) throws IOException {
        response.resetBuffer();
        response.setStatus(503);
        response.setHeader("Retry-After", "1");
        refusal(response, reason);
    }

    /**
     * A {@code 413} or {@code 431}: the request was not applied and its body is (partly) unread, so an HTTP/1 response
     * says {@code Connection: close}. The container then closes the connection after the answer instead of reading
     * the rest of a body that may be hundreds of MiB (see docs/servers.md, Request size limits). HTTP/2 forbids the
     * header; there the container deals with the stream's unread rest as it does for any servlet.
     */
    private static void refuseUnread(HttpServletRequest request, HttpServletResponse response, int status, String reason)
            throws IOException {
        response.resetBuffer();
        response.setStatus(status);
        if (request.getProtocol() != null && request.getProtocol().startsWith("HTTP/1")) {
            response.setHeader("Connection", "close");
        }
        refusal(response, reason);
    }

    private static void refusal(HttpServletResponse response, String reason) throws IOException {
        byte[] text = ("reprise: request not applied: " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        response.setContentType("text/plain;charset=utf-8");
        response.setContentLength(text.length);
        response.getOutputStream().write(text);
    }
}
