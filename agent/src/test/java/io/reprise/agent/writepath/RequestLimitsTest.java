package io.reprise.agent.writepath;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.agent.config.Config;
import io.reprise.journal.Header;
import io.reprise.journal.Journal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestLimitsTest {

    private static final int MAX = 100_000;

    @TempDir
    Path data;

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedBeforeAnythingIsRead() throws IOException {
        Source source = new Source(Long.MAX_VALUE);

        assertThat(RequestLimits.readBody(source, MAX + 1, MAX)).isNull();
        assertThat(source.delivered).isZero();
    }

    @Test
    void aBodyWithoutLengthIsRefusedOnceItCrossesTheLimitAndNotReadFurther() throws IOException {
        Source endless = new Source(Long.MAX_VALUE);

        assertThat(RequestLimits.readBody(endless, -1, MAX)).isNull();
        assertThat(endless.delivered).isEqualTo(MAX + 1);
    }

    @Test
    void bodiesUpToTheLimitAreReadWholeWithOrWithoutALength() throws IOException {
        for (int length : new int[] {0, 1, 8191, 8192, 8193, 65_536, 65_537, MAX - 1, MAX}) {
            Source declared = new Source(length);
            assertThat(RequestLimits.readBody(declared, length, MAX)).as("Content-Length: %d", length)
                    .isEqualTo(Source.bytes(length));
            Source chunked = new Source(length);
            assertThat(RequestLimits.readBody(chunked, -1, MAX)).as("chunked, %d bytes", length)
                    .isEqualTo(Source.bytes(length));
        }
    }

    @Test
    void aBodyWithoutLengthThatIsEmptyIsReadAsEmptyAndOneByteAsOneByte() throws IOException {
        assertThat(RequestLimits.readBody(new Source(0), -1, MAX)).isEmpty();
        assertThat(RequestLimits.readBody(new Source(1), -1, MAX)).isEqualTo(Source.bytes(1));
        assertThat(RequestLimits.readBody(new Source(8 << 10), -1, MAX)).isEqualTo(Source.bytes(8 << 10));
        assertThat(RequestLimits.readBody(new Source((8 << 10) + 1), -1, MAX)).isEqualTo(Source.bytes((8 << 10) + 1));
    }

    @Test
    void aDeclaredLengthIsNotTakenOnTrustForTheAllocation() throws IOException {
        // The client declares the limit and closes after 10 bytes: the body is those 10 bytes.
        assertThat(RequestLimits.readBody(new Source(10), MAX, MAX)).isEqualTo(Source.bytes(10));
    }

    @Test
    void usualHeadersFitAndHeadersOverTheAllowanceAreRefusedWithTheirSize() {
        List<Header> usual = List.of(new Header("Content-Type", "application/json"), new Header("Cookie", "a=" + "b".repeat(8000)));
        assertThat(RequestLimits.headersTooLarge("POST", "/accounts?x=1", usual)).isNull();

        List<Header> huge = List.of(new Header("X-Big", "é".repeat((int) (Config.HEADER_ALLOWANCE / 2))));
        assertThat(RequestLimits.headersTooLarge("POST", "/accounts", huge))
                .contains("take " + Journal.entryBytesBesideBody("POST", "/accounts", huge) + " bytes")
                .contains("more than the " + Config.HEADER_ALLOWANCE);
    }

    @Test
    void aBodyAtTheLargestMaxBodyWithHeadersFillingTheAllowanceFitsOneJournalEntry() throws IOException {
        assertThat(Config.MAX_BODY_LIMIT + Config.HEADER_ALLOWANCE).isEqualTo(Journal.MAX_ENTRY_BYTES);
        List<Header> noValue = List.of(new Header("X-Fill", ""));
        long fill = Config.HEADER_ALLOWANCE - Journal.entryBytesBesideBody("PUT", "/blob", noValue);
        // Fill the header value so that the request sits exactly at the allowance (its length prefix grows by 3).
        List<Header> headers = List.of(new Header("X-Fill", "x".repeat((int) fill - 3)));
        assertThat(Journal.entryBytesBesideBody("PUT", "/blob", headers)).isEqualTo(Config.HEADER_ALLOWANCE);
        assertThat(RequestLimits.headersTooLarge("PUT", "/blob", headers)).isNull();
        List<Header> oneMore = List.of(new Header("X-Fill", "x".repeat((int) fill - 2)));
        assertThat(RequestLimits.headersTooLarge("PUT", "/blob", oneMore)).isNotNull();

        byte[] body = new byte[(int) Config.MAX_BODY_LIMIT];
        new Random(3).nextBytes(body);
        try (Journal journal = Journal.open(data.resolve("journal"))) {
            long position = journal.append("PUT", "/blob", headers, body);
            assertThat(journal.lastPosition()).isEqualTo(position);
        }
    }

    /** {@code length} bytes of a repeating pattern, at most 1000 per read, counting what it delivered. */
    private static final class Source extends InputStream {
        private final long length;
        long delivered;

        Source(long length) {
            this.length = length;
        }

        static byte[] bytes(int length) {
            byte[] b = new byte[length];
            for (int i = 0; i < length; i++) {
                b[i] = (byte) (i % 251);
            }
            return b;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (delivered >= length) {
                return -1;
            }
            int n = (int) Math.min(Math.min(len, 1000), length - delivered);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) ((delivered + i) % 251);
            }
            delivered += n;
            return n;
        }
    }
}
