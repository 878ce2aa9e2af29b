package io.reprise.agent.adapter.servlet.jakarta;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;

/** The body of a journaled request's response, kept in memory until the order is released. */
final class BufferOutputStream extends ServletOutputStream {

    private final ByteArrayOutputStream buffer;
    private final JournaledResponse response;

    BufferOutputStream(ByteArrayOutputStream buffer, JournaledResponse response) {
        this.buffer = buffer;
        this.response = response;
    }

    @Override
    public void write(int b) {
        buffer.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        buffer.write(b, off, len);
    }

    /** A flush commits a container's response; so it does here, though the bytes wait for the order's release. */
    @Override
    public void flush() {
        response.markCommitted();
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
        throw new IllegalStateException("reprise: non-blocking writes are not available on journaled requests");
    }
}
