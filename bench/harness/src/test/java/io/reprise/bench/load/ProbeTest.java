package io.reprise.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProbeTest {

    private final AtomicLong posts = new AtomicLong();
    private final AtomicLong gets = new AtomicLong();
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/counter", ex -> {
            ex.getRequestBody().readAllBytes();
            long v = ex.getRequestMethod().equals("POST") ? posts.incrementAndGet() : gets.incrementAndGet();
            byte[] body = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(ex.getRequestURI().getPath().endsWith("/nope") ? 404 : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void oneRequestAtATimeAddsUpToTheRunAndMakesTheMixOfBenchLua() throws Exception {
        Wrk.Result r = Probe.run(server.getAddress().getPort(), "mix", 0, 1);

        assertThat(r.requests()).isPositive().isEqualTo(posts.get() + gets.get());
        // every tenth request is the POST, as in bench.lua's mix
        assertThat(posts.get()).isEqualTo(r.requests() / 10);
        assertThat(r.errors()).isZero();
        // one at a time: the latencies cannot add up to more than the run
        assertThat(r.meanUs() * r.requests()).isLessThanOrEqualTo(r.durationUs() + 1.0);
        assertThat(r.p50Us()).isLessThanOrEqualTo(r.p99Us());
        assertThat(r.p99Us()).isLessThanOrEqualTo(r.maxUs());
    }

    @Test
    void readsPercentilesByNearestRank() {
        long[] nanos = new long[100];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = (100 - i) * 1000L; // 100..1 us, unsorted
        }
        Wrk.Result r = Probe.result(nanos, 1_000_000, 3);
        assertThat(r.p50Us()).isEqualTo(50);
        assertThat(r.p99Us()).isEqualTo(99);
        assertThat(r.maxUs()).isEqualTo(100);
        assertThat(r.meanUs()).isEqualTo(50.5);
        assertThat(r.statusErrors()).isEqualTo(3);
    }
}
