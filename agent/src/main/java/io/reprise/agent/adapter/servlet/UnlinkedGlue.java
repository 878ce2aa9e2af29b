package io.reprise.agent.adapter.servlet;

import static io.reprise.agent.adapter.servlet.Reflect.invoke;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The {@link Glue} of a servlet API that the real glue could not be linked against (a servlet API jar lacking a
 * class the glue needs, a class loader that refuses to define it). It needs no servlet types: it calls the few
 * methods it needs by reflection, through the public servlet interfaces. Requests that would not be journaled run
 * untouched, as without the agent (C3); journaled ones are answered {@code 503} and not applied, since they could not
 * be journaled (C1). Reflection is slow next to the real glue, but this runs only in that broken state.
 */
final class UnlinkedGlue implements Glue {

    private final ServletKit adapter;
    private final String reason;

    /** @param reason why the glue is missing, for the 503 answer */
    UnlinkedGlue(ServletKit adapter, String reason) {
        this.adapter = adapter;
        this.reason = reason;
    }

    @Override
    public boolean journaled(Object request) {
        if (!mayBeJournaled(adapter, request)) {
            return false;
        }
        String method = (String) invoke(request, "getMethod");
        String servletPath = (String) invoke(request, "getServletPath");
        String info = (String) invoke(request, "getPathInfo");
        String context = (String) invoke(invoke(request, "getServletContext"), "getContextPath");
        return adapter.journalsPath(method, (String) invoke(request, "getRequestURI"),
                context + servletPath + (info == null ? "" : info));
    }

    @Override
    public Object sessionListener(SessionRecords records, String key) {
        return null;
    }

    @Override
    public void handle(Object request, Object response, Proceed proceed, Set<String> formMethods) throws Exception {
        refuse(response, reason);
    }

    /**
     * Whether {@code request} is the outermost entry of a request with a journaled method: a {@code REQUEST}
     * dispatch not taken by Reprise yet. Says nothing about its path.
     */
    static boolean mayBeJournaled(ServletKit adapter, Object request) {
        return adapter.journalsMethod((String) invoke(request, "getMethod"))
                && "REQUEST".equals(String.valueOf(invoke(request, "getDispatcherType")))
                && invoke(request, "getAttribute", Glue.TAKEN) == null;
    }

    /** Answers {@code 503} with Reprise's usual text, through the servlet response's public methods. */
    static void refuse(Object response, String reason) throws java.io.IOException {
        byte[] text = ("reprise: request not applied: " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        invoke(response, "resetBuffer");
        invoke(response, "setStatus", 503);
        invoke(response, "setHeader", "Retry-After", "1");
        invoke(response, "setContentType", "text/plain;charset=utf-8");
        invoke(response, "setContentLength", text.length);
        OutputStream out = (OutputStream) invoke(response, "getOutputStream"); // a ServletOutputStream is one
        out.write(text);
    }

    /** Calls a public servlet API method; a failure of reflection itself is an {@link IllegalStateException}. */
}
