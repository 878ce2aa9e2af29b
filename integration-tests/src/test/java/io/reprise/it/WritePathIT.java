package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live write path under clients that misbehave, and during recovery. */
class WritePathIT {

    static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void aClientThatNeverReadsItsResponseDoesNotStallOtherWriters() throws Exception {
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.fixture(work.resolve("data"), port));
             Socket neverReads = new Socket();
             Socket neverFinishesItsBody = new Socket()) {
            app.awaitPort(port, START);

            // A journaled request whose 32 MiB response is far more than the socket buffers hold.
            neverReads.setReceiveBufferSize(4096);
            neverReads.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            neverReads.setSoTimeout(30_000);
            OutputStream out = neverReads.getOutputStream();
            out.write("POST /blob HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Read only the status line: the handler has run; then never read again.
            InputStream in = neverReads.getInputStream();
            byte[] statusLine = new byte[12];
            int n = 0;
            while (n < statusLine.length) {
                int r = in.read(statusLine, n, statusLine.length - n);
                assertThat(r).isPositive();
                n += r;
            }
            assertThat(new String(statusLine, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");

            // A journaled request whose body never finishes arriving.
            neverFinishesItsBody.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            neverFinishesItsBody.getOutputStream().write(
                    "PUT /counter HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n12".getBytes(StandardCharsets.US_ASCII));
            neverFinishesItsBody.getOutputStream().flush();

            // Other writers go on (each call times out after 30 s if it were stalled).
            for (int i = 1; i <= 50; i++) {
                assertThat(Http.increment(port)).isEqualTo(i);
            }
            assertThat(neverReads.isClosed()).isFalse();
        }
    }

    @Test
    void requestsArrivingDuringRecoveryWaitUntilItEndsAndAreNeverAppliedTwice() throws Exception {
        Path data = work.resolve("data");
        String slow = "-Dfixture.apply.delay.ms=25";
        int port = Launch.freePort();
        try (ChildJvm first = ChildJvm.start("first", work, Launch.fixture(data, port, slow))) {
            first.awaitPort(port, START);
            for (int i = 0; i < 100; i++) {
                Http.increment(port);
            }
            first.kill();
        }

        // Replaying 100 increments of 25 ms each keeps recovery busy for at least 2.5 s.
        int port2 = Launch.freePort();
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try (ChildJvm second = ChildJvm.start("second", work, Launch.fixture(data, port2, slow))) {
            AtomicLong refused = new AtomicLong();
            AtomicLong acknowledged = new AtomicLong();
            Future<Long> firstRead = clients.submit(() -> {
                long deadline = System.nanoTime() + START.toNanos();
                while (System.nanoTime() < deadline) {
                    try {
                        return Http.get(port2);
                    } catch (ConnectException e) {
                        ChildJvm.pause();
                    }
                }
                throw new AssertionError("port never opened");
            });
            Future<?> writer = clients.submit(() -> {
                long deadline = System.nanoTime() + START.toNanos();
                while (System.nanoTime() < deadline && acknowledged.get() < 20) {
                    try {
                        Http.increment(port2);
                        acknowledged.incrementAndGet();
                    } catch (ConnectException e) {
                        refused.incrementAndGet();
                        ChildJvm.pause();
                    }
                }
                return null;
            });
            long seen = firstRead.get(90, TimeUnit.SECONDS);
            writer.get(90, TimeUnit.SECONDS);

            assertThat(refused.get()).as("writes attempted while recovery ran").isPositive();
            assertThat(seen).as("the first read after the port opened sees the whole recovered state").isGreaterThanOrEqualTo(100);
            assertThat(second.awaitOutput(CounterRecoveryIT.RECOVERY_DONE, START).group(2)).isEqualTo("100");
            assertThat(Http.get(port2)).as("each acknowledged write applied once, refused ones never")
                    .isEqualTo(100 + acknowledged.get());
        } finally {
            clients.shutdownNow();
        }
    }
}
