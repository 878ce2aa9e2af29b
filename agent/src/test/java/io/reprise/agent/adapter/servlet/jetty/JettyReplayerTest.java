package io.reprise.agent.adapter.servlet.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.journal.Header;
import io.reprise.journal.JournalEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.junit.jupiter.api.Test;

class JettyReplayerTest {

    @Test
    void aJournaledRequestIsWrittenAsOneHttp11MessageWithItsExactBody() {
        byte[] body = "{\"owner\":\"Zoë\"}".getBytes(StandardCharsets.UTF_8);
        JournalEntry entry = new JournalEntry(7, 0, "PATCH", "/accounts/zo%C3%AB/owner?x=1", List.of(
                new Header("Host", "127.0.0.1:8080"),
                new Header("Transfer-Encoding", "chunked"),
                new Header("Expect", "100-continue"),
                // java.net.http.HttpClient's first request over http:// asks to upgrade to h2c; Jetty refused a replay
                // that carried Upgrade without its Connection header with 400
                new Header("Connection", "Upgrade, HTTP2-Settings"),
                new Header("Upgrade", "h2c"),
                new Header("HTTP2-Settings", "AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA"),
                new Header("Keep-Alive", "timeout=5"),
                new Header("Content-Type", "application/json"),
                new Header("X-Trace", "a"),
                new Header("X-Trace", "b")), body);

        byte[] raw = JettyReplayer.rawRequest(entry);

        String head = new String(raw, 0, raw.length - body.length, StandardCharsets.ISO_8859_1);
        assertThat(head).isEqualTo("PATCH /accounts/zo%C3%AB/owner?x=1 HTTP/1.1\r\n"
                + "Host: 127.0.0.1:8080\r\n"
                + "Content-Type: application/json\r\n"
                + "X-Trace: a\r\n"
                + "X-Trace: b\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n");
        assertThat(ByteBuffer.wrap(raw, raw.length - body.length, body.length)).isEqualTo(ByteBuffer.wrap(body));
    }

    @Test
    void theStatusIsReadFromTheResponseLine() {
        ByteBuffer response = StandardCharsets.ISO_8859_1.encode("HTTP/1.1 409 Conflict\r\nContent-Length: 0\r\n\r\n");
        assertThat(JettyReplayer.status(response)).isEqualTo(409);
        ByteBuffer large = ByteBuffer.allocate(1 << 20).put(StandardCharsets.ISO_8859_1.encode("HTTP/1.1 201 Created\r\n")).flip();
        large.limit(large.capacity());
        assertThat(JettyReplayer.status(large)).as("a megabyte body is not decoded").isEqualTo(201);
    }

    @Test
    void nonAsciiInTheTargetAndHeadersReachesJettyAsTheLiveRequestDid() {
        // What a client sends: an unescaped UTF-8 target (Jetty accepts it) and a header with raw high bytes.
        byte[] live = concat(("POST /konto/Zo\u00eb/\u6771\u4eac?q=\ud83d\ude00 HTTP/1.1\r\n").getBytes(StandardCharsets.UTF_8),
                ("Host: 127.0.0.1\r\nX-Name: Ren\u00e9e \u00a7\r\n").getBytes(StandardCharsets.ISO_8859_1),
                ("X-Utf8: " + new String("Gr\u00fc\u00dfe \u6771".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)
                        + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        Parsed seen = Parsed.of(live);
        assertThat(seen.target).isEqualTo("/konto/Zo\u00eb/\u6771\u4eac?q=\ud83d\ude00");
        // The journal keeps those strings (UTF-8 in the entry codec, lossless); replay them.
        JournalEntry entry = new JournalEntry(3, 0, "POST", seen.target, seen.headers, new byte[0]);

        byte[] raw = JettyReplayer.rawRequest(entry);

        Parsed replayed = Parsed.of(raw);
        assertThat(replayed.target).isEqualTo(seen.target);
        assertThat(replayed.headers).containsAll(seen.headers);
        assertThat(new String(raw, StandardCharsets.ISO_8859_1))
                .as("the request line and the X- headers are the client's bytes")
                .startsWith(new String(live, 0, indexOf(live, "Content-Length"), StandardCharsets.ISO_8859_1));
    }

    @Test
    void aHeaderCharacterJettyCannotReceiveIsRefusedNotReplacedWithAQuestionMark() {
        JournalEntry entry = new JournalEntry(9, 0, "PUT", "/a", List.of(new Header("X-City", "\u6771\u4eac")), new byte[0]);
        assertThatThrownBy(() -> JettyReplayer.rawRequest(entry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("journal entry 9").hasMessageContaining("U+6771").hasMessageContaining("ISO-8859-1");
    }

    /** The target and headers Jetty's own parser reads from {@code request}. */
    private static final class Parsed implements HttpParser.RequestHandler {
        String target;
        final List<Header> headers = new ArrayList<>();
        boolean complete;

        static Parsed of(byte[] request) {
            Parsed parsed = new Parsed();
            new HttpParser(parsed, 8192, HttpCompliance.RFC7230).parseNext(ByteBuffer.wrap(request));
            assertThat(parsed.complete).as("Jetty parsed the whole request").isTrue();
            return parsed;
        }

        @Override public void startRequest(String method, String uri, HttpVersion version) { target = uri; }
        @Override public void parsedHeader(HttpField field) { headers.add(new Header(field.getName(), field.getValue())); }
        @Override public boolean headerComplete() { return false; }
        @Override public boolean content(ByteBuffer content) { return false; }
        @Override public boolean contentComplete() { return false; }
        @Override public boolean messageComplete() { complete = true; return true; }
        @Override public void earlyEOF() { }
        @Override public void badMessage(HttpException failure) { throw new AssertionError("Jetty refused the request: " + failure); }
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, String ascii) {
        return new String(bytes, StandardCharsets.ISO_8859_1).indexOf(ascii);
    }
}
