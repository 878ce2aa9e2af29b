package io.reprise.agent.adapter.servlet.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.journal.Header;
import io.reprise.journal.JournalEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JettyReplayerTest {

    @Test
    void aJournaledRequestIsWrittenAsOneHttp11MessageWithItsExactBody() {
        byte[] body = "{\"owner\":\"Zoë\"}".getBytes(StandardCharsets.UTF_8);
        JournalEntry entry = new JournalEntry(7, 0, "PATCH", "/accounts/zo%C3%AB/owner?x=1", List.of(
                new Header("Host", "127.0.0.1:8080"),
                new Header("Transfer-Encoding", "chunked"),
                new Header("Expect", "100-continue"),
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
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n");
        assertThat(ByteBuffer.wrap(raw, raw.length - body.length, body.length)).isEqualTo(ByteBuffer.wrap(body));
    }

    @Test
    void theStatusIsReadFromTheResponseLine() {
        ByteBuffer response = StandardCharsets.ISO_8859_1.encode("HTTP/1.1 409 Conflict\r\nContent-Length: 0\r\n\r\n");
        assertThat(JettyReplayer.status(response)).isEqualTo(409);
    }
}
