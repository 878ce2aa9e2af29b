package io.reprise.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalTest {

    @TempDir
    Path data;

    private Path dir() {
        return data.resolve("journal");
    }

    @Test
    void appendedRequestsReadBackExactlyAsTheyCameIn() throws IOException {
        List<Header> headers = List.of(new Header("Content-Type", "text/plain; charset=utf-8"),
                new Header("X-Trace", "1"), new Header("X-Trace", "2"), new Header("X-Städte", "Zürich, 東京"));
        byte[] utf8Body = "Grüße 🚀".getBytes(StandardCharsets.UTF_8);
        byte[] mebibyte = new byte[1 << 20];
        new Random(1).nextBytes(mebibyte);

        try (Journal journal = Journal.open(dir())) {
            long before = System.currentTimeMillis();
            long p1 = journal.append("POST", "/counter?x=1&name=%C3%A4", headers, utf8Body);
            long p2 = journal.append("DELETE", "/items/ü", List.of(), new byte[0]);
            long p3 = journal.append("PUT", "/blob", List.of(new Header("Content-Length", "1048576")), mebibyte);
            long after = System.currentTimeMillis();

            List<JournalEntry> entries = readAll(journal, Journal.NO_POSITION);

            assertThat(entries).extracting(JournalEntry::position).containsExactly(p1, p2, p3);
            assertThat(entries.get(0)).isEqualTo(new JournalEntry(p1, entries.get(0).timeMillis(), "POST",
                    "/counter?x=1&name=%C3%A4", headers, utf8Body));
            assertThat(entries.get(1)).isEqualTo(new JournalEntry(p2, entries.get(1).timeMillis(), "DELETE",
                    "/items/ü", List.of(), new byte[0]));
            assertThat(entries.get(2).body()).isEqualTo(mebibyte);
            assertThat(entries).extracting(JournalEntry::timeMillis).allSatisfy(t -> assertThat(t).isBetween(before, after));
        }
    }

    @Test
    void positionsIncreaseAndReadAfterStartsRightAfterTheGivenPosition() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            List<Long> positions = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                positions.add(journal.append("POST", "/n/" + i, List.of(), null));
            }

            assertThat(positions).isSorted().doesNotHaveDuplicates();
            for (int i = 0; i < positions.size(); i++) {
                assertThat(readAll(journal, positions.get(i))).extracting(JournalEntry::target)
                        .as("after entry %d", i)
                        .containsExactlyElementsOf(targets(i + 1, 10));
            }
        }
    }

    @Test
    void readAfterNoPositionReturnsEveryEntry() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            assertThat(readAll(journal, Journal.NO_POSITION)).isEmpty();
            for (int i = 0; i < 100; i++) {
                journal.append("POST", "/n/" + i, List.of(), null);
            }

            assertThat(readAll(journal, Journal.NO_POSITION)).extracting(JournalEntry::target)
                    .containsExactlyElementsOf(targets(0, 100));
        }
    }

    @Test
    void aReaderAtTheEndSeesEntriesAppendedLater() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            long last = journal.append("POST", "/a", List.of(), null);
            try (JournalReader reader = journal.readAfter(last)) {
                assertThat(reader.next()).isNull();

                journal.append("POST", "/b", List.of(), null);

                assertThat(reader.next().target()).isEqualTo("/b");
                assertThat(reader.next()).isNull();
            }
        }
    }

    @Test
    void lastPositionIsNoPositionWhenEmptyThenTheLastAppend() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            assertThat(journal.lastPosition()).isEqualTo(Journal.NO_POSITION);
            journal.append("POST", "/a", List.of(), null);
            long second = journal.append("POST", "/b", List.of(), null);

            assertThat(journal.lastPosition()).isEqualTo(second);
        }
    }

    @Test
    void reopeningKeepsEveryEntryAndAppendsContinueAfterThem() throws IOException {
        long last;
        try (Journal journal = Journal.open(dir())) {
            for (int i = 0; i < 5; i++) {
                journal.append("POST", "/n/" + i, List.of(new Header("i", Integer.toString(i))), new byte[] {(byte) i});
            }
            last = journal.lastPosition();
        }

        try (Journal journal = Journal.open(dir())) {
            assertThat(journal.lastPosition()).isEqualTo(last);
            assertThat(journal.directory()).isEqualTo(dir().toRealPath());
            long next = journal.append("POST", "/n/5", List.of(), null);

            assertThat(next).isGreaterThan(last);
            assertThat(readAll(journal, Journal.NO_POSITION)).extracting(JournalEntry::target)
                    .containsExactlyElementsOf(targets(0, 6));
            assertThat(readAll(journal, last)).extracting(JournalEntry::position).containsExactly(next);
        }
    }

    @Test
    void readAfterAPositionThatIsNotInTheJournalFailsNamingIt() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            long first = journal.append("POST", "/a", List.of(), null);
            long last = journal.append("POST", "/b", List.of(), null);

            for (long missing : new long[] {last + 1, last + 1000, first - 1, 12_345L, -2L}) {
                assertThatThrownBy(() -> journal.readAfter(missing))
                        .as("position %d", missing)
                        .isInstanceOf(JournalException.class)
                        .hasMessageContaining("Position " + missing + " is not in the journal")
                        .hasMessageContaining(journal.directory().toString());
            }
        }
    }

    @Test
    void appendsFromManyThreadsSerialisedByALockKeepTheLockOrder() throws Exception {
        int threads = 8;
        int perThread = 500;
        ReentrantLock order = new ReentrantLock();
        List<Long> positionsInLockOrder = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);

        try (Journal journal = Journal.open(dir())) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            order.lock();
                            try {
                                int sequence = positionsInLockOrder.size();
                                byte[] body = ByteBuffer.allocate(4).putInt(sequence).array();
                                positionsInLockOrder.add(journal.append("POST", "/seq", List.of(
                                        new Header("Thread", Thread.currentThread().getName())), body));
                            } finally {
                                order.unlock();
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            List<JournalEntry> entries = readAll(journal, Journal.NO_POSITION);

            assertThat(entries).hasSize(threads * perThread);
            assertThat(entries).extracting(JournalEntry::position).containsExactlyElementsOf(positionsInLockOrder);
            for (int i = 0; i < entries.size(); i++) {
                assertThat(ByteBuffer.wrap(entries.get(i).body()).getInt()).isEqualTo(i);
            }
            assertThat(entries.stream().map(e -> e.headers().get(0).value()).distinct().count())
                    .as("appending threads").isGreaterThan(1);
        }
    }

    @Test
    void aCorruptedByteInAQueueFileIsReportedWithTheEntrysPositionAndFile() throws IOException {
        String marker = "MARKER-" + UUID.randomUUID();
        long damagedPosition;
        try (Journal journal = Journal.open(dir())) {
            journal.append("POST", "/before", List.of(), "intact".getBytes(StandardCharsets.UTF_8));
            damagedPosition = journal.append("POST", "/damaged", List.of(), marker.getBytes(StandardCharsets.UTF_8));
            journal.append("POST", "/after", List.of(), "intact".getBytes(StandardCharsets.UTF_8));
        }
        Path file = flipAByteOf(marker.getBytes(StandardCharsets.UTF_8)).toRealPath();

        try (Journal journal = Journal.open(dir()); JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            assertThat(reader.next().target()).isEqualTo("/before");
            assertThatThrownBy(reader::next)
                    .isInstanceOfSatisfying(JournalCorruptException.class, e -> {
                        assertThat(e.position()).isEqualTo(damagedPosition);
                        assertThat(e.file()).isEqualTo(file);
                    })
                    .hasMessageContaining("position " + damagedPosition)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("checksum mismatch");
            assertThat(reader.next().target()).as("the reader stands after the damaged entry").isEqualTo("/after");
        }
    }

    @Test
    void aRequestTooLargeForOneEntryIsRefusedAndTheJournalCarriesOn() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            long first = journal.append("POST", "/small", List.of(), null);

            // An entry may take a quarter of Chronicle's 128 MiB block: 32 MiB.
            assertThatThrownBy(() -> journal.append("POST", "/huge", List.of(), new byte[33 << 20]))
                    .isInstanceOf(JournalException.class)
                    .hasMessageContaining("too large to journal");
            // The largest reprise.journal.max-body (16 MiB) fits, with room for headers.
            long next = journal.append("POST", "/small-again", List.of(new Header("Content-Type", "x".repeat(4096))), new byte[16 << 20]);

            assertThat(journal.lastPosition()).isEqualTo(next);
            assertThat(readAll(journal, first)).extracting(JournalEntry::target).containsExactly("/small-again");
        }
    }

    @Test
    void anEntryOfExactlyMaxEntryBytesIsAppendedAndOneByteMoreIsRefused() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            List<Header> headers = List.of(new Header("Content-Type", "application/octet-stream"));
            // A body of about 32 MiB has a 4-byte length prefix; entryBytesBesideBody counts 5.
            int body = (int) (Journal.MAX_ENTRY_BYTES - Journal.entryBytesBesideBody("POST", "/max", headers) + 1);

            assertThatThrownBy(() -> journal.append("POST", "/over", headers, new byte[body + 1]))
                    .isInstanceOf(JournalException.class)
                    .hasMessageContaining("more than " + Journal.MAX_ENTRY_BYTES + " bytes");
            long position = journal.append("POST", "/max", headers, new byte[body]);

            assertThat(readAll(journal, Journal.NO_POSITION)).singleElement().satisfies(e -> {
                assertThat(e.position()).isEqualTo(position);
                assertThat(e.target()).isEqualTo("/max");
                assertThat(e.body()).hasSize(body);
            });
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryInOneJvmIsRefused() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            assertThatThrownBy(() -> Journal.open(dir().resolve("../journal")))
                    .isInstanceOf(JournalException.class)
                    .hasMessageContaining("already open in this JVM");
        }
        Journal.open(dir()).close(); // and closing makes it available again
    }

    @Test
    void aClosedJournalRefusesWorkAndClosingTwiceIsHarmless() throws IOException {
        Journal journal = Journal.open(dir());
        journal.append("POST", "/a", List.of(), null);
        JournalReader reader = journal.readAfter(Journal.NO_POSITION);
        journal.close();
        journal.close();

        assertThatThrownBy(reader::next).isInstanceOf(JournalException.class);
        reader.close();

        assertThatThrownBy(() -> journal.append("POST", "/x", List.of(), null))
                .isInstanceOf(JournalException.class).hasMessageContaining("is closed");
        assertThatThrownBy(() -> journal.readAfter(Journal.NO_POSITION))
                .isInstanceOf(JournalException.class).hasMessageContaining("is closed");
    }

    @Test
    void chronicleIsToldToStayQuietAndLocal() throws IOException {
        Journal.open(dir()).close();

        assertThat(System.getProperty("chronicle.analytics.disable")).isEqualTo("true");
        assertThat(System.getProperty("chronicle.announcer.disable")).isEqualTo("true");
        assertThat(System.getProperty("jna.tmpdir")).isNotBlank();
    }

    @Test
    void anInterruptedRequestThreadStillJournalsAndStaysInterrupted() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            Thread.currentThread().interrupt();
            try {
                journal.append("POST", "/interrupted", List.of(), new byte[4096]);
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }

            assertThat(readAll(journal, Journal.NO_POSITION)).extracting(JournalEntry::target).containsExactly("/interrupted");
        }
    }

    @Test
    void chronicleWorksFromThreadsWhoseContextLoaderCannotSeeItAndTheLoaderIsRestored() throws Exception {
        ClassLoader application = new URLClassLoader(new URL[0], null); // sees only the JDK
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        thread.setContextClassLoader(application);
        try (Journal journal = Journal.open(dir())) {
            assertThat(thread.getContextClassLoader()).isSameAs(application);
            journal.append("POST", "/a", List.of(), null);
            assertThat(thread.getContextClassLoader()).isSameAs(application);
            try (JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
                assertThat(reader.next().target()).isEqualTo("/a");
            }
            assertThat(thread.getContextClassLoader()).isSameAs(application);
        } finally {
            thread.setContextClassLoader(original);
        }
    }

    @Test
    void aReaderCanBeCreatedOnOneThreadAndDrainedOnAnother() throws Exception {
        try (Journal journal = Journal.open(dir())) {
            journal.append("POST", "/a", List.of(), null);
            journal.append("POST", "/b", List.of(), null);
            try (JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
                assertThat(reader.next().target()).isEqualTo("/a");
                ExecutorService other = Executors.newSingleThreadExecutor();
                try {
                    assertThat(other.submit(() -> reader.next().target()).get(30, TimeUnit.SECONDS)).isEqualTo("/b");
                } finally {
                    other.shutdownNow();
                }
            }
        }
    }

    @Test
    void entriesOnEitherSideOfADailyRollReadBackInOrder() throws IOException {
        SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-11-23T23:59:00Z"));
        List<Long> positions = new ArrayList<>();
        try (Journal journal = Journal.open(dir(), clock)) {
            positions.add(journal.append("POST", "/n/0", List.of(), null));
            positions.add(journal.append("POST", "/n/1", List.of(), null));
            clock.advanceMillis(TimeUnit.MINUTES.toMillis(2));
            positions.add(journal.append("POST", "/n/2", List.of(), null));
        }
        try (Journal journal = Journal.open(dir(), clock)) {
            positions.add(journal.append("POST", "/n/3", List.of(), null));

            assertThat(positions).isSorted();
            assertThat(readAll(journal, Journal.NO_POSITION)).extracting(JournalEntry::target)
                    .containsExactlyElementsOf(targets(0, 4));
            assertThat(readAll(journal, positions.get(1))).extracting(JournalEntry::target)
                    .containsExactly("/n/2", "/n/3");
        }
        try (Stream<Path> files = Files.list(dir())) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")))
                    .containsExactlyInAnyOrder("20261123F.cq4", "20261124F.cq4");
        }
    }

    @Test
    void countAfterMatchesWhatAReaderReturnsAlsoAcrossARoll() throws IOException {
        SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-11-23T23:59:00Z"));
        try (Journal journal = Journal.open(dir(), clock)) {
            assertThat(journal.countAfter(Journal.NO_POSITION)).isZero();
            List<Long> positions = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                positions.add(journal.append("POST", "/n/" + i, List.of(), null));
            }
            clock.advanceMillis(TimeUnit.MINUTES.toMillis(2));
            for (int i = 5; i < 8; i++) {
                positions.add(journal.append("POST", "/n/" + i, List.of(), null));
            }

            assertThat(journal.countAfter(Journal.NO_POSITION)).isEqualTo(8);
            for (long p : positions) {
                assertThat(journal.countAfter(p)).as("after %d", p).isEqualTo(readAll(journal, p).size());
            }
        }
    }

    static List<JournalEntry> readAll(Journal journal, long after) {
        List<JournalEntry> entries = new ArrayList<>();
        try (JournalReader reader = journal.readAfter(after)) {
            for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
                entries.add(e);
            }
        }
        return entries;
    }

    private static List<String> targets(int from, int to) {
        List<String> targets = new ArrayList<>();
        for (int i = from; i < to; i++) {
            targets.add("/n/" + i);
        }
        return targets;
    }

    /** Flips one byte inside the only occurrence of {@code marker} in the journal's files; returns that file. */
    private Path flipAByteOf(byte[] marker) throws IOException {
        List<Path> hits = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir())) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".cq4"))::iterator) {
                byte[] content = Files.readAllBytes(file);
                for (int i = 0; i + marker.length <= content.length; i++) {
                    if (matches(content, i, marker)) {
                        hits.add(file);
                        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                            raf.seek(i + marker.length / 2);
                            raf.write(content[i + marker.length / 2] ^ 0x01);
                        }
                    }
                }
            }
        }
        assertThat(hits).as("files holding the marker").hasSize(1);
        return hits.get(0);
    }

    private static boolean matches(byte[] content, int at, byte[] marker) {
        for (int j = 0; j < marker.length; j++) {
            if (content[at + j] != marker[j]) {
                return false;
            }
        }
        return true;
    }
}
