package io.reprise.tools;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.reprise.journal.Header;
import io.reprise.journal.Journal;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.JournalException;
import io.reprise.journal.JournalFiles;
import io.reprise.journal.JournalReader;
import io.reprise.journal.Outcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * {@code dump DATA_DIR}: journal entries as JSON lines, one object per entry:
 * <pre>
 * {"position":89249420410880,"time":"2026-11-23T10:00:00.123Z","method":"POST","target":"/counter?x=1",
 *  "outcome":"status 200, body crc32c 1a2b3c4d (2 bytes)",
 *  "headers":[{"name":"Content-Type","value":"text/plain"}],"bodyEncoding":"utf-8","body":"1"}
 * </pre>
 * The body is text when it is valid UTF-8, else base64 ({@code "bodyEncoding":"base64"}). {@code outcome} is what
 * the request answered live ({@link Outcome#describe()}), or says why there is none. Outcome records are not
 * printed on their own. Reads only.
 */
@Command(name = "dump", description = {
        "Print journal entries as JSON lines: position, time (ISO-8601), method, target, outcome (what the request"
                + " answered live), headers (in order), bodyEncoding and body (UTF-8 text when valid, else base64)."
                + " Reads only."})
final class DumpCommand extends DataDirCommand {

    @Option(names = "--from", paramLabel = "POSITION", description = "First position to print (inclusive).")
    Long from;

    @Option(names = "--to", paramLabel = "POSITION", description = "Last position to print (inclusive).")
    Long to;

    @Option(names = "--limit", paramLabel = "N", description = "Print at most N entries.")
    Long limit;

    @Option(names = "--base64", description = "Always print the body as base64.")
    boolean base64;

    @Override
    int run(DataDirectory data) throws IOException {
        if (limit != null && limit < 0) {
            throw new ToolException("--limit must not be negative, was " + limit, RepriseTool.USAGE);
        }
        if (!data.hasJournal()) {
            throw new ToolException("There is no journal in " + data.root() + ".");
        }
        out().flush();
        OutputStream stdout = System.out;
        JsonFactory json = new JsonFactory();
        long printed = 0;
        try (JournalFiles journal = JournalFiles.open(data.journal());
             JournalReader reader = journal.readFrom(from == null ? Journal.NO_POSITION : from);
             JsonGenerator out = json.createGenerator(new NonClosing(stdout), JsonEncoding.UTF8)) {
            out.setRootValueSeparator(null);
            try {
                for (JournalEntry entry = reader.next(); entry != null; entry = reader.next()) {
                    if ((to != null && entry.position() > to) || (limit != null && printed >= limit)) {
                        break;
                    }
                    write(out, entry);
                    out.writeRaw('\n');
                    printed++;
                }
            } finally {
                out.flush();
            }
        } catch (JournalException e) {
            throw new ToolException(printed + " entries printed, then: " + e.getMessage());
        }
        return RepriseTool.OK;
    }

    private void write(JsonGenerator out, JournalEntry entry) throws IOException {
        out.writeStartObject();
        out.writeNumberField("position", entry.position());
        out.writeStringField("time", Instant.ofEpochMilli(entry.timeMillis()).toString());
        out.writeStringField("method", entry.method());
        out.writeStringField("target", entry.target());
        out.writeStringField("outcome", outcome(entry));
        out.writeArrayFieldStart("headers");
        for (Header header : entry.headers()) {
            out.writeStartObject();
            out.writeStringField("name", header.name());
            out.writeStringField("value", header.value());
            out.writeEndObject();
        }
        out.writeEndArray();
        String text = base64 ? null : utf8(entry.body());
        out.writeStringField("bodyEncoding", text == null ? "base64" : "utf-8");
        out.writeStringField("body", text == null ? Base64.getEncoder().encodeToString(entry.body()) : text);
        out.writeEndObject();
    }

    /** What the entry answered live, or why the journal does not say. */
    static String outcome(JournalEntry entry) {
        if (entry.agentRecord()) {
            return "none: an agent record of type " + entry.recordType() + " (a change Reprise journaled itself, such as a "
                    + "session made by a request that is not journaled), not a request";
        }
        if (entry.outcome() != null) {
            return entry.outcome().describe();
        }
        return entry.outcomeExpected()
                ? "none (the process stopped before it was recorded, or it is being written now)"
                : "not recorded (written before outcomes)";
    }

    /** The body as text if it is well-formed UTF-8, else null. */
    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Lets the generator be closed without closing standard output. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
