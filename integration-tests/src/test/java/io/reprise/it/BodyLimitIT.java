package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code reprise.journal.max-body} on every adapter: a body over it is answered 413, with or without a
 * {@code Content-Length}, without being read whole (a 300 MiB body to a service with a 256 MiB heap), and is neither
 * applied nor journaled.
 */
class BodyLimitIT {

    static final Duration START = Duration.ofSeconds(120);
    static final int MAX_BODY = 64 << 10;
    static final long HUGE = 300L << 20;
    static final String REFUSAL = "reprise: request not applied: the request body is larger than reprise.journal.max-body ("
            + MAX_BODY + " bytes)";

    @TempDir
    Path work;

    static Stream<Arguments> servletStacks() {
        return Stream.of(
                Arguments.of("Spring Boot 3, Tomcat 10.1", Launch.ledgerJar(), "Tomcat"),
                Arguments.of("Spring Boot 3, Jetty 12.0 (ee10)", Launch.ledgerJettyJar(), "Jetty"),
                Arguments.of("Spring Boot 2.7, Tomcat 9 (javax.servlet)", Launch.ledgerJavaxJar(), "Tomcat"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servletStacks")
    void aBodyOverTheLimitGets413AtOnceAndIsNeitherAppliedNorJournaled(String stack, String jar, String server) throws Exception {
        Path data = work.resolve("data");
        String[] options = {"-Xmx256m", "-Dreprise.journal.max-body=" + MAX_BODY};
        int port = Launch.freePort();
        String before;
        try (ChildJvm first = ChildJvm.start("first", work, Launch.springBoot(jar, data, port, options))) {
            first.awaitPort(port, START);
            assertThat(first.output()).contains(server);
            LedgerClient.openAll(port);
            HttpResponse<String> atLimit = Http.json(port, "POST", "/accounts", account("eve", MAX_BODY));
            assertThat(atLimit.statusCode()).as("a body of exactly max-body: %s", atLimit.body()).isEqualTo(201);

            SoftAssertions soft = new SoftAssertions();
            HttpResponse<String> declared = Http.json(port, "POST", "/accounts", account("mallory", MAX_BODY + 1));
            soft.assertThat(declared.statusCode()).as("Content-Length one over: %s", declared.body()).isEqualTo(413);
            soft.assertThat(declared.body()).isEqualTo(REFUSAL + "\n");
            soft.assertThat(declared.headers().firstValue("Connection")).as("Connection header").hasValue("close");
            HttpResponse<String> chunked = Http.send(port, "POST", "/accounts", "application/json",
                    account("mallory", MAX_BODY + 1).getBytes(StandardCharsets.UTF_8), true);
            soft.assertThat(chunked.statusCode()).as("chunked, one over: %s", chunked.body()).isEqualTo(413);
            soft.assertThat(chunked.body()).isEqualTo(REFUSAL + "\n");
            for (boolean chunkedHuge : new boolean[] {false, true}) {
                Streamed huge = streamedPost(port, "/accounts", HUGE, chunkedHuge);
                String what = "300 MiB " + (chunkedHuge ? "chunked" : "with Content-Length");
                soft.assertThat(huge.answer()).as(what).startsWith("HTTP/1.1 413").contains(REFUSAL);
                soft.assertThat(huge.closed()).as(what + ": the server closed the connection after the answer").isTrue();
                soft.assertThat(huge.written()).as(what + ": bytes written before the server closed").isLessThan(HUGE / 4);
                System.out.println("BodyLimitIT " + stack + ", " + what + ": " + huge.written() + " bytes written");
            }
            soft.assertThat(first.output()).doesNotContain("OutOfMemoryError");
            soft.assertAll();

            before = LedgerClient.accounts(port);
            assertThat(before).as("still serving; eve applied, mallory not").contains("\"eve\"").doesNotContain("mallory");
            LedgerClient.open(port, "frank", 3);
            before = LedgerClient.accounts(port);
            first.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.springBoot(jar, data, port2, options))) {
            second.awaitPort(port2, START);
            assertThat(LedgerClient.accounts(port2)).isEqualTo(before);
            Matcher done = second.awaitOutput(CounterRecoveryIT.RECOVERY_DONE, START);
            assertThat(Long.parseLong(done.group(2))).as("journaled: the four accounts, eve and frank")
                    .isEqualTo(LedgerClient.ACCOUNTS.length + 2);
        }
    }

    /** The JDK server had a bounded read already: chunked and streamed bodies too. */
    @Test
    void theJdkServerRefusesChunkedAndStreamedBodiesOverTheLimit() throws Exception {
        Path data = work.resolve("data");
        String[] options = {"-Xmx64m", "-Dreprise.journal.max-body=" + MAX_BODY};
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.counter(data, port, options))) {
            app.awaitPort(port, START);
            assertThat(Http.set(port, 5)).isEqualTo(5);
            byte[] over = ("7" + " ".repeat(MAX_BODY)).getBytes(StandardCharsets.US_ASCII);
            HttpResponse<String> chunked = Http.send(port, "PUT", "/counter", "text/plain", over, true);
            assertThat(chunked.statusCode()).isEqualTo(413);
            assertThat(chunked.body()).isEqualTo(REFUSAL + "\n");
            for (boolean chunkedHuge : new boolean[] {false, true}) {
                Streamed huge = streamedPost(port, "/counter/increment", HUGE, chunkedHuge);
                String what = "300 MiB " + (chunkedHuge ? "chunked" : "with Content-Length");
                assertThat(huge.answer()).as(what).startsWith("HTTP/1.1 413").contains(REFUSAL);
                assertThat(huge.closed()).as(what + ": the server closed the connection after the answer").isTrue();
                assertThat(huge.written()).as(what + ": bytes written before the server closed").isLessThan(HUGE / 4);
                System.out.println("BodyLimitIT JDK, " + what + ": " + huge.written() + " bytes written");
            }
            assertThat(Http.get(port)).isEqualTo(5);
            app.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.counter(data, port2, options))) {
            again.awaitPort(port2, START);
            assertThat(Http.get(port2)).isEqualTo(5);
            assertThat(again.awaitOutput(CounterRecoveryIT.RECOVERY_DONE, START).group(2)).isEqualTo("1");
        }
    }

    /** An account opening of exactly {@code length} bytes of JSON, padded with spaces. */
    private static String account(String id, int length) {
        String json = "{\"id\":\"" + id + "\",\"balance\":7}";
        return json + " ".repeat(length - json.length());
    }

    /** What {@link #streamedPost} saw: the answer (or why there was none), whether the server then closed, and how
     * much of the body could be written before it did. */
    record Streamed(String answer, boolean closed, long written) {
    }

    /**
     * POSTs {@code length} spaces over a raw socket, with a {@code Content-Length} or chunked, from a thread of its
     * own, while this thread reads the answer: nothing of the body is held in memory here, and a server that answers
     * before the body is read gets its answer read. Then waits (30 s at most) for the server to close the connection.
     */
    private static Streamed streamedPost(int port, String path, long length, boolean chunked) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + length + "\r\n") + "\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            AtomicLong written = new AtomicLong();
            Thread writer = new Thread(() -> {
                byte[] block = new byte[64 << 10];
                Arrays.fill(block, (byte) ' ');
                byte[] chunkHead = (Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
                try {
                    for (long sent = 0; sent < length; sent += block.length) { // length / 64 KiB writes at most
                        if (chunked) {
                            out.write(chunkHead);
                        }
                        out.write(block);
                        if (chunked) {
                            out.write(crlf);
                        }
                        written.addAndGet(block.length);
                    }
                    if (chunked) {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                } catch (IOException e) {
                    // the server closed the connection after its answer: what it should do with a refused body
                }
            }, "body-writer");
            writer.setDaemon(true);
            writer.start();
            try {
                InputStream in = socket.getInputStream();
                String answer;
                try {
                    answer = readResponse(in);
                } catch (IOException e) {
                    return new Streamed("no answer: " + e.getMessage(), true, written.get());
                }
                boolean closed;
                try {
                    closed = in.read() < 0; // anything else would be a second response to one request
                } catch (SocketTimeoutException e) {
                    closed = false;
                } catch (IOException e) {
                    closed = true; // reset: the server closed with the body's rest unread
                }
                return new Streamed(answer, closed, written.get());
            } finally {
                socket.close(); // unblocks the writer
                writer.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
    }

    /** One HTTP/1.1 response with a Content-Length, as text; fails with what arrived if the connection ends first. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        int headEnd = -1;
        long bodyLength = -1;
        byte[] buf = new byte[8192];
        while (true) {
            if (headEnd < 0) {
                String text = received.toString(StandardCharsets.ISO_8859_1);
                headEnd = text.indexOf("\r\n\r\n");
                if (headEnd >= 0) {
                    Matcher m = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text.substring(0, headEnd));
                    bodyLength = m.find() ? Long.parseLong(m.group(1)) : 0;
                }
            }
            if (headEnd >= 0 && received.size() >= headEnd + 4 + bodyLength) {
                return received.toString(StandardCharsets.UTF_8);
            }
            if (received.size() > (1 << 20)) {
                throw new IOException("no complete response within 1 MiB: " + received.toString(StandardCharsets.ISO_8859_1).substring(0, 500));
            }
            int n;
            try {
                n = in.read(buf);
            } catch (IOException e) {
                throw new IOException("the connection failed after " + received.size() + " bytes of response ("
                        + received.toString(StandardCharsets.ISO_8859_1) + "): " + e, e);
            }
            if (n < 0) {
                throw new IOException("the connection ended after " + received.size() + " bytes of response: "
                        + received.toString(StandardCharsets.ISO_8859_1));
            }
            received.write(buf, 0, n);
        }
    }
}
