package io.reprise.agent.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.agent.config.SyncMode;
import io.reprise.agent.writepath.Durability;
import io.reprise.agent.writepath.JournalUnavailableException;
import io.reprise.agent.writepath.WritePath;
import io.reprise.journal.Header;
import io.reprise.journal.Journal;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.JournalReader;
import io.reprise.journal.Outcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idempotency-Key handling on a real journal and write path: what is answered, what is applied, what is kept. */
class IdempotencyTest {

    static final Duration DAY = Duration.ofHours(24);

    @TempDir
    Path dir;
    Journal journal;
    WritePath writePath;
    final AtomicInteger applied = new AtomicInteger();

    @BeforeEach
    void open() throws Exception {
        journal = Journal.open(dir.resolve("journal"));
        writePath = new WritePath(Set.of("POST"), List.of(), 1_000_000, 1 << 20);
        writePath.open(journal, Durability.of(SyncMode.NONE, () -> Journal.NO_POSITION, Duration.ofSeconds(1), r -> { }),
                1 << 20, 0, () -> { });
    }

    @AfterEach
    void close() {
        journal.close();
    }

    static Idempotency keys() {
        return new Idempotency(true, List.of("/transfers"), DAY, 1000, 64 << 20, 1024);
    }

    static List<Header> key(String key) {
        return List.of(new Header("Content-Type", "application/json"), new Header("Idempotency-Key", key));
    }

    /** A journaled POST as an adapter runs it: admission, then the write path with the ticket; null when applied. */
    Answer post(Idempotency keys, String target, List<Header> headers, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Idempotency.Admission admission = keys.admit("POST", target, target, null, headers, bytes);
        if (admission.answer() != null) {
            return admission.answer();
        }
        writePath.apply("POST", target, headers, bytes, admission.ticket(), () -> answer(keys, admission, body));
        return null;
    }

    Outcome answer(Idempotency keys, Idempotency.Admission admission, String body) {
        int n = applied.incrementAndGet();
        byte[] response = ("{\"applied\":" + n + ",\"body\":" + body + "}").getBytes(StandardCharsets.UTF_8);
        Outcome outcome = Outcome.answered(201, Outcome.digest(response, 0, response.length));
        if (admission.ticket() == null) {
            return outcome;
        }
        return outcome.withResponse(keys.capture(201, List.of(new Header("Content-Type", "application/json"),
                new Header("Location", "/transfers/" + n), new Header("Date", "today")), response, response.length));
    }

    static String text(Answer answer) {
        return new String(answer.body(), StandardCharsets.UTF_8);
    }

    @Test
    void aRepeatGetsTheFirstResponseBackWithoutRunningTheHandlerAndIsNotJournaled() throws Exception {
        Idempotency keys = keys();
        assertThat(post(keys, "/transfers", key("k-1"), "{\"amount\":5}")).isNull();
        long journalEnd = journal.lastPosition();

        Answer repeat = post(keys, "/transfers", key("k-1"), "{\"amount\":5}");

        assertThat(repeat.status()).isEqualTo(201);
        assertThat(text(repeat)).isEqualTo("{\"applied\":1,\"body\":{\"amount\":5}}");
        assertThat(repeat.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(repeat.header("Location")).isEqualTo("/transfers/1");
        assertThat(repeat.header("Content-Type")).isEqualTo("application/json");
        assertThat(repeat.header("Date")).as("the server dates each response itself").isNull();
        assertThat(applied).hasValue(1);
        assertThat(journal.lastPosition()).as("a repeat is not journaled").isEqualTo(journalEnd);
        assertThat(post(keys, "/transfers", key("k-2"), "{\"amount\":5}")).as("another key is another request").isNull();
        assertThat(applied).hasValue(2);
    }

    @Test
    void theSameKeyWhileTheFirstRequestIsInFlightIs409AndAfterItsResponseTheStoredOne() throws Exception {
        Idempotency keys = keys();
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        Idempotency.Admission first = keys.admit("POST", "/transfers", "/transfers", null, key("k"), body);
        assertThat(first.ticket()).isNotNull();
        List<Answer> during = new ArrayList<>();
        writePath.apply("POST", "/transfers", key("k"), body, first.ticket(), () -> {
            // still in the handler, and again after the outcome was journaled (the write path's release comes last)
            during.add(keys.admit("POST", "/transfers", "/transfers", null, key("k"), body).answer());
            return answer(keys, first, "{}");
        });
        Answer inFlight = during.get(0);
        assertThat(inFlight.status()).isEqualTo(409);
        assertThat(inFlight.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(text(inFlight)).contains("\"type\":\"urn:reprise:problem:idempotency-key:in-flight\"", "\"status\":409");

        assertThat(post(keys, "/transfers", key("k"), "{}").header(Answer.REPLAYED)).isEqualTo("true");
        assertThat(applied).hasValue(1);
    }

    @Test
    void theSameKeyWithAnotherMethodTargetOrBodyIs422() throws Exception {
        Idempotency keys = keys();
        post(keys, "/transfers", key("k"), "{\"amount\":5}");
        assertThat(post(keys, "/transfers", key("k"), "{\"amount\":6}").status()).isEqualTo(422);
        assertThat(post(keys, "/transfers?x=1", key("k"), "{\"amount\":5}").status()).isEqualTo(422);
        Idempotency.Admission put = keys.admit("PUT", "/transfers", "/transfers", null, key("k"),
                "{\"amount\":5}".getBytes(StandardCharsets.UTF_8));
        assertThat(put.answer().status()).isEqualTo(422);
        assertThat(text(put.answer())).contains("idempotency-key:mismatch");
        List<Header> otherCredentials = List.of(new Header("Idempotency-Key", "k"), new Header("Authorization", "Bearer x"));
        assertThat(post(keys, "/transfers", otherCredentials, "{\"amount\":5}").status())
                .as("a repeat is answered before the application authenticates: credentials are in the fingerprint")
                .isEqualTo(422);
        assertThat(applied).hasValue(1);
    }

    @Test
    void twoKeyFieldsAListOfKeysAnEmptyOrOverlongKeyAre400AndNothingIsApplied() throws Exception {
        Idempotency keys = keys();
        List<List<Header>> bad = List.of(
                List.of(new Header("Idempotency-Key", "a"), new Header("idempotency-key", "b")),
                List.of(new Header("Idempotency-Key", "a, b")),
                List.of(new Header("Idempotency-Key", "\"a\", \"b\"")),
                List.of(new Header("Idempotency-Key", "")),
                List.of(new Header("Idempotency-Key", "x".repeat(256))),
                List.of(new Header("Idempotency-Key", "caf\u00e9")));
        for (List<Header> headers : bad) {
            Answer answer = post(keys, "/items", headers, "{}");
            assertThat(answer.status()).as("%s", headers).isEqualTo(400);
            assertThat(text(answer)).contains("idempotency-key:malformed");
        }
        assertThat(applied).hasValue(0);
        assertThat(journal.lastPosition()).isEqualTo(Journal.NO_POSITION);
    }

    @Test
    void aQuotedKeyIsTheSameKeyAsItsContent() throws Exception {
        Idempotency keys = keys();
        post(keys, "/items", key("\"8e03978e-40d5\""), "{}");
        assertThat(post(keys, "/items", key("8e03978e-40d5"), "{}").header(Answer.REPLAYED)).isEqualTo("true");
    }

    @Test
    void aRequiredPathWithoutAKeyIs400OnWholeSegmentsAndAmbiguousPathsCount() throws Exception {
        Idempotency keys = keys();
        List<Header> none = List.of();
        assertThat(post(keys, "/transfers", none, "{}").status()).isEqualTo(400);
        assertThat(text(post(keys, "/transfers/7", none, "{}"))).contains("idempotency-key:missing");
        assertThat(post(keys, "/transfers/%2e%2e/x", none, "{}").status()).as("ambiguous").isEqualTo(400);
        assertThat(post(keys, "/transfersx", none, "{}")).as("another segment").isNull();
        assertThat(post(keys, "/items", none, "{}")).isNull();
        assertThat(applied).hasValue(2);
    }

    @Test
    void aRequestTheJournalRefusesFreesItsKey() throws Exception {
        Idempotency keys = keys();
        writePath.close("closed for the test");
        assertThatThrownBy(() -> post(keys, "/items", key("k"), "{}")).isInstanceOf(JournalUnavailableException.class);
        Idempotency.Admission again = keys.admit("POST", "/items", "/items", null, key("k"), "{}".getBytes());
        assertThat(again.answer()).as("not in flight, not stored").isNull();
        assertThat(again.ticket()).isNotNull();
    }

    @Test
    void aHandlerThatThrewIsStoredAsA500ProblemAndNotRunAgain() throws Exception {
        Idempotency keys = keys();
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        Idempotency.Admission first = keys.admit("POST", "/items", "/items", null, key("k"), body);
        assertThatThrownBy(() -> writePath.apply("POST", "/items", key("k"), body, first.ticket(), () -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        Answer repeat = post(keys, "/items", key("k"), "{}");
        assertThat(repeat.status()).isEqualTo(500);
        assertThat(text(repeat)).contains("idempotency-key:handler-failed", "java.lang.IllegalStateException");
        assertThat(repeat.header(Answer.REPLAYED)).isEqualTo("true");
    }

    @Test
    void aResponseLargerThanMaxResponseIsKeptAsItsDigestAndARetryGets409() throws Exception {
        Idempotency keys = new Idempotency(true, List.of(), DAY, 1000, 64 << 20, 10);
        post(keys, "/items", key("k"), "{\"long\":\"enough to pass ten bytes\"}");
        Answer repeat = post(keys, "/items", key("k"), "{\"long\":\"enough to pass ten bytes\"}");
        assertThat(repeat.status()).isEqualTo(409);
        assertThat(text(repeat)).contains("idempotency-key:response-not-kept", "status 201");
        assertThat(applied).hasValue(1);
    }

    @Test
    void keysExpireOnJournalTimeWhenLaterEntriesArePutAndLookupsIgnoreExpiredOnes() {
        KeyTable table = new KeyTable(DAY.toMillis(), 1000, 64 << 20);
        long t0 = 1_000_000_000_000L;
        table.put("old", entry(1, 1, t0));
        assertThat(table.begin("old", 1, 1, t0 + DAY.toMillis()).found()).isEqualTo(KeyTable.Found.STORED);
        assertThat(table.begin("old", 1, 1, t0 + DAY.toMillis() + 1).found()).as("expired by the wall clock")
                .isEqualTo(KeyTable.Found.NEW);
        table.release("old");
        assertThat(table.size()).as("a lookup removes nothing").isEqualTo(1);
        table.put("new", entry(2, 2, t0 + DAY.toMillis() + 1));
        assertThat(table.get("old")).as("forgotten when a later entry's journal time passes its ttl").isNull();
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.forgotten()).as("expiry is not counted as forgetting early").isZero();
    }

    @Test
    void atMaxKeysAndMaxMemoryTheOldestKeysAreForgottenFirst() {
        KeyTable table = new KeyTable(DAY.toMillis(), 3, 64 << 20);
        long t0 = 1_000_000_000_000L;
        for (int i = 0; i < 5; i++) {
            table.put("k" + i, entry(i, i, t0 + i));
        }
        assertThat(table.size()).isEqualTo(3);
        assertThat(table.get("k0")).isNull();
        assertThat(table.get("k1")).isNull();
        assertThat(table.get("k2")).isNotNull();
        assertThat(table.forgotten()).isEqualTo(2);
        assertThat(table.begin("k0", 0, 0, t0).found()).as("a forgotten key is new again").isEqualTo(KeyTable.Found.NEW);

        KeyTable small = new KeyTable(DAY.toMillis(), 1000, 3000);
        for (int i = 0; i < 10; i++) {
            small.put("k" + i, new KeyTable.Entry(i, i, i, t0, StoredResponse.of(200, List.of(), new byte[900], 900, 1024)));
        }
        assertThat(small.bytes()).isLessThanOrEqualTo(3000);
        assertThat(small.get("k9")).isNotNull();
        assertThat(small.get("k0")).isNull();
    }

    @Test
    void theTableRebuiltFromASnapshotAndTheJournalAfterItEqualsTheLiveTable() throws Exception {
        Idempotency live = keys();
        byte[] atSnapshot = null;
        long snapshotPosition = Journal.NO_POSITION;
        for (int i = 0; i < 30; i++) {
            post(live, "/items", key("k" + (i % 20)), "{\"n\":" + (i % 20) + "}"); // ten repeats among them
            post(live, "/items", List.of(), "{}"); // unkeyed ones in between
            if (i == 11) {
                ByteArrayOutputStream section = new ByteArrayOutputStream();
                live.table().write(section);
                atSnapshot = section.toByteArray();
                snapshotPosition = journal.lastPosition();
            }
        }
        assertThat(live.table().size()).isEqualTo(20);

        Idempotency fromJournal = keys();
        replay(fromJournal, Journal.NO_POSITION);
        assertThat(fromJournal.table().contents()).as("the whole journal replayed").isEqualTo(live.table().contents());

        Idempotency fromSnapshot = keys();
        fromSnapshot.table().restore(1, new ByteArrayInputStream(atSnapshot));
        replay(fromSnapshot, snapshotPosition);
        assertThat(fromSnapshot.table().contents()).as("snapshot plus the tail").isEqualTo(live.table().contents());
        assertThat(post(fromSnapshot, "/items", key("k3"), "{\"n\":3}").header(Answer.REPLAYED)).isEqualTo("true");
    }

    private void replay(Idempotency keys, long after) {
        try (JournalReader reader = journal.readAfter(after)) {
            JournalEntry entry;
            for (int n = 0; n < 10_000 && (entry = reader.next()) != null; n++) {
                keys.replayed(entry, entry.outcome());
            }
        }
    }

    @Test
    void storedResponsesRoundTripAndRefuseOtherBytes() {
        StoredResponse response = StoredResponse.of(201, List.of(new Header("X-A", "1"), new Header("Connection", "close"),
                new Header("X-A", "2")), "hello".getBytes(StandardCharsets.UTF_8), 5, 100);
        assertThat(response.headers()).containsExactly(new Header("X-A", "1"), new Header("X-A", "2"));
        assertThat(StoredResponse.decode(response.encode())).isEqualTo(response);
        StoredResponse digestOnly = StoredResponse.of(200, List.of(), new byte[200], 200, 100);
        assertThat(digestOnly.kept()).isFalse();
        assertThat(StoredResponse.decode(digestOnly.encode())).isEqualTo(digestOnly);
        assertThatThrownBy(() -> StoredResponse.decode(new byte[] {9})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 9");
        byte[] cut = response.encode();
        assertThatThrownBy(() -> StoredResponse.decode(java.util.Arrays.copyOf(cut, cut.length - 2)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static KeyTable.Entry entry(long high, long low, long time) {
        return new KeyTable.Entry(high, low, high, time, StoredResponse.of(200, List.of(), new byte[0], 0, 10));
    }
}
