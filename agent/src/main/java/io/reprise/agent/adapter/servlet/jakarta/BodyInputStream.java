package io.reprise.agent.adapter.servlet.jakarta;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

/** A journaled request's body, read from memory. */
final class BodyInputStream extends ServletInputStream {

    private final byte[] body;
    private int position;

    BodyInputStream(byte[] body) {
        this.body = body;
    }

    @Override
    public int read() {
        return position < body.length ? body[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (position >= body.length) {
            return -1;
        }
        int n = Math.min(len, body.length - position);
        System.arraycopy(body, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() {
        return body.length - position;
    }

    @Override
    public boolean isFinished() {
        return position >= body.length;
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
        throw new IllegalStateException("reprise: non-blocking reads are not available on journaled requests: the body was read already");
    }
}
