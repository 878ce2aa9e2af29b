package io.reprise.journal;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Kinds 2 (outcome) and 3 (request whose outcome follows) of the journal format. */
class OutcomeCodecTest {

    private static final Path FILE = Path.of("/data/journal/20261123F.cq4");
    private static final long REQUEST = 89_249_420_410_883L;
    private static final long POSITION = REQUEST + 1;

    private final EntryCodec writer = new EntryCodec(64 << 20);
    private final EntryCodec reader = new EntryCodec(Integer.MAX_VALUE - 8);

    @Test
    void outcomesRoundTripWithStatusDigestExceptionNullMessageAndRecordedBytes() {
        String rocket = new String(Character.toChars(0x1F680));
        Outcome[] outcomes = {
                Outcome.answered(201, 0),
                Outcome.answered(200, Outcome.digest(new byte[]{1, 2, 3}, 0, 3)),
                Outcome.answered(Outcome.NO_STATUS, 0),
                Outcome.answered(999, -1L),
                Outcome.threw("java.lang.IllegalStateException", "no item 7 – Zoë " + rocket),
                Outcome.threw("java.lang.NullPointerException", null),
                Outcome.threw("E", "m".repeat(5000)),
                Outcome.answered(200, 7).withRecorded(new byte[300]),
                Outcome.threw("E", "x").withRecorded(new byte[]{0, -1, 5}),
                Outcome.answered(201, 9).withResponse(new byte[]{7, 8, 9}),
                Outcome.answered(200, 7).withRecorded(new byte[20]).withResponse(new byte[1 << 20]),
                Outcome.threw("E", "x").withResponse(new byte[]{1}),
        };
        for (Outcome outcome : outcomes) {
            byte[] record = encode(REQUEST, outcome);

            OutcomeRecord decoded = (OutcomeRecord) decode(record);

            assertThat(decoded).as(outcome.describe()).isEqualTo(new OutcomeRecord(POSITION, REQUEST, outcome));
            assertThat((long) record.length).as("the bound for %s", outcome.describe())
                    .isLessThanOrEqualTo(EntryCodec.outcomeBytes(outcome))
                    .isGreaterThan(EntryCodec.outcomeBytes(outcome) - 5);
            assertThat(Journal.outcomeBytes(outcome)).isEqualTo((int) EntryCodec.outcomeBytes(outcome));
        }
        assertThat(((OutcomeRecord) decode(encode(REQUEST, Outcome.threw("E", "m".repeat(5000))))).outcome().message())
                .hasSize(1024);
    }

    @Test
    void theOutcomeLayoutIsVersionKindRequestPositionStatusFlagsDigestRecordedChecksum() {
        byte[] record = encode(REQUEST, Outcome.answered(200, 0x0102_0304_0506_0708L));
        ByteBuffer expected = ByteBuffer.allocate(record.length - 4)
                .put((byte) 1).put((byte) 2).putLong(REQUEST)
                .put((byte) (201 & 0x7F | 0x80)).put((byte) (201 >>> 7)) // varint 201
                .put((byte) 0).putLong(0x0102_0304_0506_0708L).put((byte) 0);
        assertThat(record).isEqualTo(withChecksum(expected.array()));

        byte[] threw = encode(REQUEST, Outcome.threw("E", null));
        byte[] expectedThrew = ByteBuffer.allocate(threw.length - 4)
                .put((byte) 1).put((byte) 2).putLong(REQUEST).put((byte) 0).put((byte) 1)
                .put((byte) 1).put((byte) 'E').put((byte) 0).put((byte) 0).array();
        assertThat(threw).isEqualTo(withChecksum(expectedThrew));
    }

    @Test
    void aStoredResponseMakesItKind5WithTheResponseAfterTheRecordedBytes() {
        byte[] record = encode(REQUEST, Outcome.answered(200, 5).withResponse(new byte[]{42, 43}));
        ByteBuffer expected = ByteBuffer.allocate(record.length - 4)
                .put((byte) 1).put((byte) 5).putLong(REQUEST)
                .put((byte) (201 & 0x7F | 0x80)).put((byte) (201 >>> 7))
                .put((byte) 0).putLong(5).put((byte) 0).put((byte) 2).put((byte) 42).put((byte) 43);
        assertThat(record).isEqualTo(withChecksum(expected.array()));
        assertThat(Outcome.answered(200, 5).withResponse(new byte[]{42}).sameAs(Outcome.answered(200, 5), true))
                .as("a stored response is not compared").isTrue();
    }

    @Test
    void aRequestWhoseOutcomeFollowsIsKind3WithTheRequestLayout() {
        List<Header> headers = List.of(new Header("X-A", "1"), new Header("X-A", "2"));
        byte[] body = "Grüße".getBytes(StandardCharsets.UTF_8);
        int length = writer.encode(EntryCodec.KIND_REQUEST_WITH_OUTCOME, 5, "POST", "/items", headers, body);
        byte[] kind3 = Arrays.copyOf(writer.buffer(), length);
        byte[] kind1 = Arrays.copyOf(writer.buffer(), writer.encode(5, "POST", "/items", headers, body));

        assertThat(kind3[1]).isEqualTo((byte) 3);
        assertThat(kind1[1]).isEqualTo((byte) 1);
        assertThat(Arrays.copyOfRange(kind3, 2, length - 4)).isEqualTo(Arrays.copyOfRange(kind1, 2, kind1.length - 4));
        JournalEntry entry = (JournalEntry) decode(kind3);
        assertThat(entry).isEqualTo(new JournalEntry(POSITION, 5, "POST", "/items", headers, body, null, true));
        assertThat(entry.outcomeMissing()).isTrue();
        JournalEntry legacy = (JournalEntry) decode(kind1);
        assertThat(legacy.outcomeExpected()).isFalse();
        assertThat(legacy.outcomeMissing()).isFalse();
        assertThat(legacy).isEqualTo(new JournalEntry(POSITION, 5, "POST", "/items", headers, body));
    }

    @Test
    void everyFlippedBitOfAnOutcomeIsCorruptionAtItsPosition() {
        byte[] record = encode(REQUEST, Outcome.threw("java.lang.IllegalStateException", "no").withRecorded(new byte[]{4}));
        for (int bit = 0; bit < record.length * 8; bit++) {
            byte[] damaged = record.clone();
            damaged[bit / 8] ^= (byte) (1 << (bit % 8));
            int b = bit;
            assertThatThrownBy(() -> decode(damaged)).as("bit %d", b)
                    .isInstanceOfSatisfying(JournalCorruptException.class, e -> assertThat(e.position()).isEqualTo(POSITION));
        }
    }

    @Test
    void anOutcomeThatDoesNotParseIsCorruptionEvenWithAValidChecksum() {
        byte[] record = encode(REQUEST, Outcome.answered(200, 1));
        byte[] undefinedFlag = record.clone();
        undefinedFlag[12] = 4;
        byte[] cutDigest = Arrays.copyOf(record, 14 + 4);
        byte[] forward = record.clone();
        ByteBuffer.wrap(forward, 2, 8).putLong(POSITION); // names itself as its request
        for (byte[] bad : List.of(undefinedFlag, cutDigest, forward)) {
            assertThatThrownBy(() -> decode(rechecksummed(bad))).isInstanceOfSatisfying(JournalCorruptException.class,
                    e -> assertThat(e.position()).isEqualTo(POSITION));
        }
        assertThatThrownBy(() -> decode(rechecksummed(forward))).hasMessageContaining("outcome of position " + POSITION);
    }

    @Test
    void kindsBeyond5AreStillRefusedAsNewer() {
        byte[] record = encode(REQUEST, Outcome.answered(200, 1));
        record[1] = 6;
        assertThatThrownBy(() -> decode(rechecksummed(record)))
                .isInstanceOf(UnsupportedJournalFormatException.class)
                .hasMessageContaining("entry kind 6")
                .hasMessageContaining("position " + POSITION);
    }

    @Test
    void anOutcomeLargerThanTheLimitIsRefusedBeforeAnythingIsWritten() {
        EntryCodec small = new EntryCodec(1024);
        assertThatThrownBy(() -> small.encodeOutcome(REQUEST, Outcome.answered(200, 0).withRecorded(new byte[2000])))
                .isInstanceOf(JournalException.class)
                .hasMessageContaining("outcome is too large");
        assertThat(small.encodeOutcome(REQUEST, Outcome.answered(200, 0).withRecorded(new byte[900]))).isLessThan(1024);
    }

    private byte[] encode(long request, Outcome outcome) {
        int length = writer.encodeOutcome(request, outcome);
        return Arrays.copyOf(writer.buffer(), length);
    }

    private Object decode(byte[] record) {
        return reader.decode(record, record.length, POSITION, FILE);
    }

    private static byte[] withChecksum(byte[] content) {
        CRC32C crc = new CRC32C();
        crc.update(content);
        return ByteBuffer.allocate(content.length + 4).put(content).putInt((int) crc.getValue()).array();
    }

    private static byte[] rechecksummed(byte[] record) {
        return withChecksum(Arrays.copyOf(record, record.length - 4));
    }
}
