package io.reprise.journal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EntryCodecTest {

    private static final Path FILE = Path.of("/data/journal/20261123F.cq4");
    private static final long POSITION = 89_249_420_410_883L;

    private final EntryCodec writer = new EntryCodec(64 << 20);
    private final EntryCodec reader = new EntryCodec(Integer.MAX_VALUE - 8);

    @Test
    void requestRoundTripsWithHeaderOrderDuplicatesAndUtf8() {
        List<Header> headers = List.of(
                new Header("Content-Type", "application/json; charset=utf-8"),
                new Header("X-Tag", "a"),
                new Header("x-tag", "b"),
                new Header("X-Tag", "a"),
                new Header("X-Name", "Zoë Ångström – 東京 🚀"),
                new Header("X-Empty", ""));
        byte[] body = "{\"name\":\"Grüße 🌍\"}".getBytes(StandardCharsets.UTF_8);

        JournalEntry entry = decode(encode(1_763_900_000_123L, "POST", "/counter/ä?x=1&y=%20🚀", headers, body));

        assertThat(entry).isEqualTo(new JournalEntry(POSITION, 1_763_900_000_123L, "POST",
                "/counter/ä?x=1&y=%20🚀", headers, body));
    }

    @Test
    void aStringRepeatedFromTheEntryBeforeIsSharedAndAChangedOneIsDecodedAfresh() {
        JournalEntry a = decode(encode(1, "POST", "/items/1", List.of(new Header("Host", "h:1"), new Header("X-N", "1")), null));
        JournalEntry b = decode(encode(2, "POST", "/items/1", List.of(new Header("Host", "h:1"), new Header("X-N", "2")), null));
        JournalEntry c = decode(encode(3, "PUT", "/items/2", List.of(new Header("Host", "h:1"), new Header("X-N", "2")), null));

        assertThat(b.method()).isSameAs(a.method());
        assertThat(b.target()).isSameAs(a.target());
        assertThat(b.headers().get(0).value()).isSameAs(a.headers().get(0).value());
        assertThat(b.headers().get(1).value()).isEqualTo("2");
        assertThat(c.method()).isEqualTo("PUT");
        assertThat(c.target()).isEqualTo("/items/2");
        assertThat(c.headers()).containsExactly(new Header("Host", "h:1"), new Header("X-N", "2"));
        // Same length, other bytes: never mistaken for the string before.
        assertThat(decode(encode(4, "PUT", "/items/3", List.of(), null)).target()).isEqualTo("/items/3");
    }

    @Test
    void emptyAndMissingBodiesReadBackAsEmptyArrays() {
        assertThat(decode(encode(1, "DELETE", "/x", List.of(), new byte[0])).body()).isEmpty();
        assertThat(decode(encode(1, "DELETE", "/x", List.of(), null)).body()).isEmpty();
        assertThat(decode(encode(1, "", "", List.of(), null)).method()).isEmpty();
    }

    @Test
    void oneMebibyteBodyRoundTrips() {
        byte[] body = new byte[1 << 20];
        new Random(7).nextBytes(body);

        JournalEntry entry = decode(encode(5, "PUT", "/blob", List.of(new Header("Content-Length", "1048576")), body));

        assertThat(entry.body()).isEqualTo(body);
    }

    @Test
    void stringsAreEncodedExactlyAsStringGetBytesWouldIncludingLoneSurrogates() {
        String[] samples = {"plain", "é", "€", "𝄞 clef", "\uD800 lone high", "lone low \uDC00", "end high \uD83D",
                "\uDC00\uD800 reversed pair", "\u07FF\u0800\uFFFF", "nul\0char", "a".repeat(300), "é".repeat(200),
                "a".repeat(130) + "é", "a".repeat(127) + "\uD800"};
        for (String s : samples) {
            byte[] expected = s.getBytes(StandardCharsets.UTF_8);
            byte[] entry = encode(0, s, "/", List.of(), null);
            JournalEntry decoded = decode(entry);

            assertThat(decoded.method()).as(s).isEqualTo(new String(expected, StandardCharsets.UTF_8));
            int start = 10 + varint(expected.length).length;
            assertThat(Arrays.copyOfRange(entry, 10, start)).as(s).isEqualTo(varint(expected.length));
            assertThat(Arrays.copyOfRange(entry, start, start + expected.length)).as(s).isEqualTo(expected);
        }
    }

    @Test
    void everySingleFlippedBitIsReportedAsCorruption() {
        byte[] entry = encode(42, "POST", "/c?x=1", List.of(new Header("A", "b")), "body".getBytes(StandardCharsets.UTF_8));
        for (int bit = 0; bit < entry.length * 8; bit++) {
            byte[] damaged = entry.clone();
            damaged[bit / 8] ^= (byte) (1 << (bit % 8));

            assertThatThrownBy(() -> decode(damaged)).as("bit %d", bit).isInstanceOf(JournalCorruptException.class);
        }
    }

    @Test
    void corruptionIsReportedWithItsFilePositionAndWhatToDo() {
        byte[] entry = encode(42, "POST", "/c", List.of(), "body".getBytes(StandardCharsets.UTF_8));
        entry[entry.length - 6] ^= 0x10;

        assertThatThrownBy(() -> decode(entry))
                .isInstanceOfSatisfying(JournalCorruptException.class, e -> {
                    assertThat(e.position()).isEqualTo(POSITION);
                    assertThat(e.file()).isEqualTo(FILE);
                })
                .hasMessageContaining("position " + POSITION)
                .hasMessageContaining(FILE.toString())
                .hasMessageContaining("checksum mismatch")
                .hasMessageContaining("start once with reprise.recovery.truncate-corrupt=true")
                .hasMessageContaining("java -jar reprise-tools.jar truncate --at " + POSITION + " /data`")
                .hasMessageContaining("copied to /data/journal-cut-<time>");
    }

    @Test
    void anEntryFromANewerFormatVersionIsRefusedNamingBothVersions() {
        byte[] entry = encode(42, "POST", "/c", List.of(), null);
        entry[0] = 2;

        assertThatThrownBy(() -> decode(rechecksummed(entry)))
                .isInstanceOf(UnsupportedJournalFormatException.class)
                .hasMessageContaining("journal format version 2")
                .hasMessageContaining("reads journal format version 1")
                .hasMessageContaining("position " + POSITION)
                .hasMessageContaining(FILE.toString());
    }

    @Test
    void bytesBesideBodyIsWhatTheEntryTakesBesidesTheBodyLessTheUnusedBytesOfTheBodyLengthPrefix() {
        String emoji = new String(Character.toChars(0x1F680));
        List<Header> many = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(new Header("X-" + i, "v".repeat(i)));
        }
        Object[][] requests = {
                {"POST", "/c", List.of(), 0},
                {"PUT", "/x?q=1", List.of(new Header("Content-Type", "text/plain")), 127},
                {"POST", "/ä/東京" + emoji, List.of(new Header("X-Name", "Zoë " + emoji), new Header("X-Lone", "a\ud800b")), 128},
                {"PATCH", "/" + "p".repeat(300), many, 20_000},
                {"DELETE", "", List.of(new Header("", "")), 1 << 21},
        };
        for (Object[] r : requests) {
            @SuppressWarnings("unchecked")
            List<Header> headers = (List<Header>) r[2];
            int bodyLength = (int) r[3];
            int prefixBytes = bodyLength < (1 << 7) ? 1 : bodyLength < (1 << 14) ? 2 : bodyLength < (1 << 21) ? 3 : 4;
            long beside = EntryCodec.bytesBesideBody((String) r[0], (String) r[1], headers);

            byte[] entry = encode(1, (String) r[0], (String) r[1], headers, new byte[bodyLength]);

            assertThat((long) entry.length).as("%s %s with a %d-byte body", r[0], r[1], bodyLength)
                    .isEqualTo(beside + bodyLength - (5 - prefixBytes));
        }
    }

    @Test
    void anEntryKindThisFormatDoesNotDefineIsRefusedAsNewer() {
        byte[] entry = encode(42, "POST", "/c", List.of(), null);
        entry[1] = 7;

        assertThatThrownBy(() -> decode(rechecksummed(entry)))
                .isInstanceOf(UnsupportedJournalFormatException.class)
                .hasMessageContaining("entry kind 7");
    }

    @Test
    void aDamagedFormatVersionIsReportedAsCorruptionNotAsANewerFormat() {
        byte[] entry = encode(42, "POST", "/c", List.of(), null);
        entry[0] = 3; // checksum left as it was

        assertThatThrownBy(() -> decode(entry))
                .isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("reads as format version 3");
    }

    @Test
    void hugeLengthsBehindAValidChecksumAreCorruptionNotOutOfMemory() {
        byte[] hugeMethod = withChecksum(concat(prefix(), varint(Integer.MAX_VALUE), "POST".getBytes()));
        byte[] hugeHeaderCount = withChecksum(concat(prefix(), varint(4), "POST".getBytes(), varint(1), "/".getBytes(),
                varint(Integer.MAX_VALUE), varint(0)));
        byte[] hugeBody = withChecksum(concat(prefix(), varint(4), "POST".getBytes(), varint(1), "/".getBytes(),
                varint(0), varint(2_000_000_000), "x".getBytes()));
        byte[] overlongVarint = withChecksum(concat(prefix(), new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0x7F}));

        assertThatThrownBy(() -> decode(hugeMethod)).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("method length 2147483647 exceeds");
        assertThatThrownBy(() -> decode(hugeHeaderCount)).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("header count 2147483647 cannot fit");
        assertThatThrownBy(() -> decode(hugeBody)).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("body length 2000000000 exceeds");
        assertThatThrownBy(() -> decode(overlongVarint)).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void truncatedShortAndOverlongEntriesAreCorruption() {
        byte[] entry = encode(42, "POST", "/c", List.of(), "body".getBytes(StandardCharsets.UTF_8));
        byte[] withoutChecksum = Arrays.copyOf(entry, entry.length - 4);

        byte[] cutInBody = withChecksum(Arrays.copyOf(withoutChecksum, withoutChecksum.length - 2));
        byte[] trailingBytes = withChecksum(concat(withoutChecksum, new byte[3]));

        assertThatThrownBy(() -> decode(cutInBody)).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("body length 4 exceeds the 2 bytes left");
        assertThatThrownBy(() -> decode(trailingBytes)).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("3 unexpected bytes after the body");
        for (int length = 0; length <= 4; length++) {
            byte[] tiny = new byte[length];
            assertThatThrownBy(() -> decode(tiny)).isInstanceOf(JournalCorruptException.class)
                    .hasMessageContaining("too short");
        }
        assertThatThrownBy(() -> decode(withChecksum(new byte[] {1, 1, 0}))).isInstanceOf(JournalCorruptException.class)
                .hasMessageContaining("too short for a version 1 entry");
    }

    @Test
    void anEntryLargerThanTheLimitIsRefusedAndTheCodecCarriesOn() {
        EntryCodec small = new EntryCodec(1024);

        assertThatThrownBy(() -> small.encode(1, "POST", "/big", List.of(), new byte[2000]))
                .isInstanceOf(JournalException.class)
                .hasMessageContaining("too large to journal")
                .hasMessageContaining("1024 bytes");
        int length = small.encode(1, "POST", "/small", List.of(), new byte[900]);
        assertThat(((JournalEntry) reader.decode(small.buffer(), length, 1, FILE)).target()).isEqualTo("/small");
    }

    private byte[] encode(long time, String method, String target, List<Header> headers, byte[] body) {
        int length = writer.encode(time, method, target, headers, body);
        return Arrays.copyOf(writer.buffer(), length);
    }

    private JournalEntry decode(byte[] entry) {
        return (JournalEntry) reader.decode(entry, entry.length, POSITION, FILE);
    }

    /** The content followed by its CRC32C, as the encoder ends an entry. */
    private static byte[] withChecksum(byte[] content) {
        CRC32C crc = new CRC32C();
        crc.update(content);
        return ByteBuffer.allocate(content.length + 4).put(content).putInt((int) crc.getValue()).array();
    }

    /** An encoded entry, edited, with its checksum made valid again. */
    private static byte[] rechecksummed(byte[] entry) {
        return withChecksum(Arrays.copyOf(entry, entry.length - 4));
    }

    /** Version, kind and a timestamp. */
    private static byte[] prefix() {
        return ByteBuffer.allocate(10).put((byte) 1).put((byte) 1).putLong(42).array();
    }

    private static byte[] varint(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
