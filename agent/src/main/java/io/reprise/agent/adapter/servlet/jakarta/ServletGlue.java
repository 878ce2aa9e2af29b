package io.reprise.agent.adapter.servlet.jakarta;

import io.reprise.agent.adapter.servlet.Glue;
import io.reprise.agent.adapter.servlet.Proceed;
import io.reprise.agent.adapter.servlet.ServletAdapter;
import io.reprise.agent.writepath.JournalUnavailableException;
import io.reprise.journal.Header;
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

    private final ServletAdapter adapter;

    public ServletGlue(ServletAdapter adapter) {
        this.adapter = adapter;
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
        byte[] body = live.getInputStream().readAllBytes(); // no lock held: a slow client stalls only itself
        JournaledRequest journaled = new JournaledRequest(live, body, formMethods.contains(method), adapter);
        JournaledResponse buffered = new JournaledResponse(liveResponse);
        if (adapter.replaying()) {
            proceed.run(journaled, buffered);
        } else {
            try {
                adapter.writePath().apply(method, target(live), headers(live), body, () -> proceed.run(journaled, buffered));
            } catch (JournalUnavailableException e) {
                refuse(liveResponse, e.getMessage());
                return;
            }
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

    private static void refuse(HttpServletResponse response, String reason) throws IOException {
        byte[] text = ("reprise: request not applied: " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        response.resetBuffer();
        response.setStatus(503);
        response.setHeader("Retry-After", "1");
        response.setContentType("text/plain;charset=utf-8");
        response.setContentLength(text.length);
        response.getOutputStream().write(text);
    }
}
