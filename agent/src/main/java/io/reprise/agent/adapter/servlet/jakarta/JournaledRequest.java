package io.reprise.agent.adapter.servlet.jakarta;

import io.reprise.agent.adapter.servlet.FormBody;
import io.reprise.agent.adapter.servlet.ServletKit;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Map;

/**
 * The request the application sees for a journaled request, live and on replay: the body comes from memory
 * (it was read before the order was taken), and form parameters are parsed from it as the container would
 * have. Everything else is the container's request.
 *
 * <p>A journaled request may not go asynchronous: {@code startAsync} throws (see docs/servers.md).
 */
final class JournaledRequest extends HttpServletRequestWrapper {

    private final byte[] body;
    private final boolean formMethod;
    private final ServletKit adapter;
    private ServletInputStream stream;
    private BufferedReader reader;
    private Map<String, String[]> parameters;

    JournaledRequest(HttpServletRequest request, byte[] body, boolean formMethod, ServletKit adapter) {
        super(request);
        this.body = body;
        this.formMethod = formMethod;
        this.adapter = adapter;
    }

    @Override
    public ServletInputStream getInputStream() {
        if (reader != null) {
            throw new IllegalStateException("getReader() has already been called for this request");
        }
        if (stream == null) {
            stream = new BodyInputStream(body);
        }
        return stream;
    }

    @Override
    public BufferedReader getReader() throws IOException {
        if (stream != null) {
            throw new IllegalStateException("getInputStream() has already been called for this request");
        }
        if (reader == null) {
            reader = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset()));
        }
        return reader;
    }

    private Charset charset() throws IOException {
        String encoding = getCharacterEncoding();
        if (encoding == null) {
            return StandardCharsets.ISO_8859_1;
        }
        try {
            return Charset.forName(encoding);
        } catch (IllegalArgumentException e) {
            throw new java.io.UnsupportedEncodingException(encoding);
        }
    }

    private Map<String, String[]> parameters() {
        if (parameters == null) {
            // The container parses the query string; it skips the body because it was read already.
            Map<String, String[]> query = super.getParameterMap();
            if (formMethod && FormBody.isForm(getContentType())) {
                Charset charset;
                try {
                    charset = charset();
                } catch (IOException e) {
                    charset = StandardCharsets.ISO_8859_1;
                }
                parameters = FormBody.merge(query, body, charset);
            } else {
                parameters = query;
            }
        }
        return parameters;
    }

    @Override
    public String getParameter(String name) {
        String[] values = parameters().get(name);
        return values == null || values.length == 0 ? null : values[0];
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return parameters();
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.enumeration(parameters().keySet());
    }

    @Override
    public String[] getParameterValues(String name) {
        String[] values = parameters().get(name);
        return values == null ? null : values.clone();
    }

    @Override
    public Collection<Part> getParts() throws IOException, ServletException {
        refuseMultipart();
        return super.getParts();
    }

    @Override
    public Part getPart(String name) throws IOException, ServletException {
        refuseMultipart();
        return super.getPart(name);
    }

    private void refuseMultipart() {
        String type = getContentType();
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
            throw new IllegalStateException(adapter.multipartRefused(getMethod(), getRequestURI()));
        }
    }

    @Override
    public AsyncContext startAsync() {
        throw new IllegalStateException(adapter.asyncRefused(getMethod(), getRequestURI()));
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
        throw new IllegalStateException(adapter.asyncRefused(getMethod(), getRequestURI()));
    }
}
