package io.reprise.agent.adapter.servlet.jakarta;

import io.reprise.agent.idempotency.Idempotency;
import io.reprise.journal.Header;
import io.reprise.journal.Outcome;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The response the application writes for a journaled request. Status and headers go to the container's
 * response at once (that is no I/O: a container sends them at commit); the body, {@code sendError} and
 * {@code sendRedirect} are kept here and handed to the container by {@link #finish} after the order is
 * released, so the order is never held on a client's socket (C2).
 */
final class JournaledResponse extends HttpServletResponseWrapper {

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private BufferOutputStream stream;
    private PrintWriter writer;
    private boolean committed;
    private int errorStatus = -1;
    private String errorMessage;
    private String redirect;

    JournaledResponse(HttpServletResponse response) {
        super(response);
    }

    void markCommitted() {
        committed = true;
    }

    /**
     * What the application answered: the status it set (or sent as an error or a redirect) and a digest of the body
     * it wrote. Called under the order, once the application has returned, live and on replay alike.
     *
     * @param keep for a request whose response an Idempotency-Key keeps; else null
     */
    Outcome outcome(Idempotency keep) {
        if (writer != null) {
            writer.flush();
        }
        byte[] body = errorStatus >= 0 || redirect != null ? new byte[0] : buffer.toByteArray();
        Outcome outcome = Outcome.answered(getStatus(), Outcome.digest(body, 0, body.length));
        return keep == null ? outcome : outcome.withResponse(keep.capture(getStatus(), headers(), body, body.length));
    }

    /**
     * The headers the application set, as a retry of its Idempotency-Key gets them: the container's own view of
     * them (Tomcat keeps the content type apart from the other headers until it commits), and the redirect's
     * {@code Location}.
     */
    private List<Header> headers() {
        List<Header> headers = new ArrayList<>();
        for (String name : new LinkedHashSet<>(getHeaderNames())) {
            if (!name.equalsIgnoreCase("Content-Type") && !name.equalsIgnoreCase("Content-Length")) {
                for (String value : getHeaders(name)) {
                    headers.add(new Header(name, value));
                }
            }
        }
        if (getContentType() != null) {
            headers.add(new Header("Content-Type", getContentType()));
        }
        if (redirect != null) {
            headers.add(new Header("Location", redirect));
        }
        return headers;
    }

    /** Hands the buffered outcome to the container's response. */
    void finish() throws IOException {
        if (writer != null) {
            writer.flush();
        }
        HttpServletResponse live = (HttpServletResponse) getResponse();
        if (errorStatus >= 0) {
            if (errorMessage == null) {
                live.sendError(errorStatus);
            } else {
                live.sendError(errorStatus, errorMessage);
            }
            return;
        }
        if (redirect != null) {
            live.sendRedirect(redirect);
            return;
        }
        if (buffer.size() > 0) {
            ServletOutputStream out = live.getOutputStream();
            buffer.writeTo(out);
        }
    }

    @Override
    public ServletOutputStream getOutputStream() {
        if (writer != null) {
            throw new IllegalStateException("getWriter() has already been called for this response");
        }
        if (stream == null) {
            stream = new BufferOutputStream(buffer, this);
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() {
        if (stream != null) {
            throw new IllegalStateException("getOutputStream() has already been called for this response");
        }
        if (writer == null) {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
            // Containers fix the character encoding in the Content-Type once the writer is taken.
            setCharacterEncoding(charset.name());
            writer = new PrintWriter(new OutputStreamWriter(buffer, charset), false);
        }
        return writer;
    }

    @Override
    public void flushBuffer() {
        if (writer != null) {
            writer.flush();
        }
        committed = true;
    }

    @Override
    public boolean isCommitted() {
        return committed || super.isCommitted();
    }

    @Override
    public void resetBuffer() {
        if (committed) {
            throw new IllegalStateException("the response is already committed");
        }
        if (writer != null) {
            writer.flush();
        }
        buffer.reset();
    }

    @Override
    public void reset() {
        if (committed) {
            throw new IllegalStateException("the response is already committed");
        }
        super.reset();
        buffer.reset();
        stream = null;
        writer = null;
    }

    @Override
    public void sendError(int status, String message) {
        if (committed) {
            throw new IllegalStateException("the response is already committed");
        }
        errorStatus = status;
        errorMessage = message;
        committed = true;
    }

    @Override
    public void sendError(int status) {
        sendError(status, null);
    }

    @Override
    public void sendRedirect(String location) {
        if (committed) {
            throw new IllegalStateException("the response is already committed");
        }
        redirect = location;
        committed = true;
    }

    @Override
    public int getStatus() {
        return errorStatus >= 0 ? errorStatus : redirect != null ? 302 : super.getStatus();
    }
}
