package io.reprise.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The latency of one connection, measured one request at a time: write a request on a keep-alive socket, read its
 * whole response, take {@link System#nanoTime()} on both sides, send the next. It makes the requests of
 * {@code bench/wrk/bench.lua}'s {@code post} and {@code mix} kinds in the same order (in the mix every tenth request
 * is the POST).
 *
 * <p>Why not wrk: at one connection wrk 4.1's latency histogram does not add up. Its mean times its request count
 * exceeds the run's length (14.8 s of latency in a 10 s run), which one request at a time cannot do, and its p99
 * against the counter without the agent (1.7-1.8 ms) is ten times what this probe and a Python client measure on the
 * same server (0.14-0.16 ms), while {@code perf sched} shows wrk woken for a response every 0.164 ms at the 99th
 * percentile. wrk's throughput (requests over duration) is sound and stays the load step's figure; only the
 * one-connection latencies come from here. The measuring loop allocates nothing, so the probe's own GC does not show
 * as the server's tail.
 */
public final class Probe {

    private static final int MAX_RESPONSE = 64 * 1024;
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final InputStream in;
    private final boolean mix;
    private final byte[] post = request("POST", "/counter/increment");
    private final byte[] get = request("GET", "/counter");
    private final byte[] buf = new byte[MAX_RESPONSE];
    private int filled;
    private long sent;
    private long statusErrors;

    private Probe(Socket socket, String kind) throws IOException {
        if (!kind.equals("post") && !kind.equals("mix")) {
            throw new IllegalArgumentException("the probe makes the post and mix kinds of bench.lua, not " + kind);
        }
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
        this.mix = kind.equals("mix");
    }

    /**
     * Warms up for {@code warmupSeconds}, then measures for {@code seconds}; the result has wrk's shape, latencies
     * in microseconds. A response other than 2xx counts as a status error; an I/O error ends the run and is thrown.
     */
    public static Wrk.Result run(int port, String kind, int warmupSeconds, int seconds) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            Probe p = new Probe(socket, kind);
            long end = System.nanoTime() + warmupSeconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                p.exchange();
            }
            p.statusErrors = 0;
            long[] latencies = new long[1 << 18];
            int n = 0;
            long start = System.nanoTime();
            end = start + seconds * 1_000_000_000L;
            long now = start;
            while (now < end) {
                long before = now;
                p.exchange();
                now = System.nanoTime();
                if (n == latencies.length) {
                    latencies = Arrays.copyOf(latencies, n * 2);
                }
                latencies[n++] = now - before;
            }
            return result(Arrays.copyOf(latencies, n), now - start, p.statusErrors);
        }
    }

    /** Sorts the latencies (nanoseconds) and reads wrk's percentiles off them, nearest rank. */
    static Wrk.Result result(long[] nanos, long durationNanos, long statusErrors) {
        Arrays.sort(nanos);
        int n = nanos.length;
        double sum = 0;
        for (long v : nanos) {
            sum += v;
        }
        return new Wrk.Result(n, durationNanos / 1000, 0, 0, 0, statusErrors, 0, rank(nanos, 50), rank(nanos, 90),
                rank(nanos, 99), rank(nanos, 99.9), n == 0 ? 0 : nanos[n - 1] / 1000, n == 0 ? 0 : sum / n / 1000);
    }

    private static long rank(long[] sorted, double percentile) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000;
    }

    /** One request and its whole response. */
    private void exchange() throws IOException {
        sent++;
        out.write(mix && sent % 10 != 0 ? get : post);
        out.flush();
        int headEnd;
        while ((headEnd = headEnd()) < 0) {
            fill();
        }
        int status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
        if (status < 200 || status > 299) {
            statusErrors++;
        }
        int total = headEnd + contentLength(headEnd);
        while (filled < total) {
            fill();
        }
        System.arraycopy(buf, total, buf, 0, filled - total);
        filled -= total;
    }

    private void fill() throws IOException {
        if (filled == buf.length) {
            throw new IOException("a response of more than " + MAX_RESPONSE + " bytes; the probe reads the counter's small ones");
        }
        int r = in.read(buf, filled, buf.length - filled);
        if (r < 0) {
            throw new IOException("the server closed the connection after " + sent + " requests");
        }
        filled += r;
    }

    /** The index just past the blank line that ends the head, or -1 if it has not all arrived. */
    private int headEnd() {
        for (int i = 3; i < filled; i++) {
            if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** The Content-Length in the head (the counter never sends a chunked response); 0 without one. */
    private int contentLength(int headEnd) {
        byte[] name = CONTENT_LENGTH;
        for (int line = 0; line < headEnd; ) {
            boolean match = line + name.length < headEnd;
            for (int k = 0; match && k < name.length; k++) {
                match = Character.toLowerCase(buf[line + k]) == name[k];
            }
            if (match) {
                int v = 0;
                for (int i = line + name.length; i < headEnd && buf[i] != '\r'; i++) {
                    if (buf[i] >= '0' && buf[i] <= '9') {
                        v = v * 10 + buf[i] - '0';
                    }
                }
                return v;
            }
            while (line < headEnd && buf[line] != '\n') {
                line++;
            }
            line++;
        }
        return 0;
    }

    private static byte[] request(String method, String path) {
        String body = method.equals("POST") ? "Content-Length: 0\r\n" : "";
        return (method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + body + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
