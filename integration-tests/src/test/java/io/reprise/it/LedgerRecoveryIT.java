package io.reprise.it;

import static io.reprise.it.LedgerClient.ACCOUNTS;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger sample (Spring Boot 3, embedded Tomcat 10.1) with the real agent, killed with SIGKILL. */
class LedgerRecoveryIT {

    static final Duration START = Duration.ofSeconds(120);
    static final String RECOVERY_DONE = CounterRecoveryIT.RECOVERY_DONE;

    @TempDir
    Path work;

    @Test
    void acknowledgedTransfersSurviveSigkill() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        String before;
        long journaled = 0;
        try (ChildJvm first = ChildJvm.start("first", work, Launch.springBoot(Launch.ledgerJar(), data, port))) {
            first.awaitPort(port, START);
            LedgerClient.open(port, "alice", 100);
            LedgerClient.open(port, "bob", 0);
            assertThat(LedgerClient.transfer(port, "alice", "bob", 5)).isEqualTo(200);
            assertThat(Http.send(port, "GET", "/accounts/alice", null).body()).isEqualTo("{\"id\":\"alice\",\"balance\":95}");
            assertThat(LedgerClient.transfer(port, "bob", "alice", 6)).as("would overdraw").isEqualTo(409);
            journaled += 4;
            for (int i = 0; i < 200; i++) {
                LedgerClient.transfer(port, i % 2 == 0 ? "alice" : "bob", i % 2 == 0 ? "bob" : "alice", 1 + i % 9);
                journaled++;
            }
            before = LedgerClient.accounts(port);
            first.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.springBoot(Launch.ledgerJar(), data, port2))) {
            second.awaitPort(port2, START);
            assertThat(LedgerClient.accounts(port2)).as("no loss, no double apply").isEqualTo(before);
            Matcher done = second.awaitOutput(RECOVERY_DONE, START);
            assertThat(Long.parseLong(done.group(2))).isEqualTo(journaled);
            assertThat(second.output()).contains("reprise: snapshot provider: io.reprise.samples.ledger.LedgerSnapshots");
        }
    }

    @Test
    void concurrentTransfersCompetingForOneBalanceGiveIdenticalBalancesAfterRecovery() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        String before;
        long[] outcome;
        try (ChildJvm first = ChildJvm.start("first", work, Launch.springBoot(Launch.ledgerJar(), data, port))) {
            first.awaitPort(port, START);
            LedgerClient.openAll(port);
            outcome = LedgerClient.competingTransfers(port, 8, Duration.ofSeconds(3));
            before = LedgerClient.accounts(port);
            first.kill();
        }
        assertThat(outcome[0]).as("transfers done").isGreaterThan(50);
        assertThat(outcome[1]).as("transfers refused: they competed for the same money").isGreaterThan(0);
        assertThat(LedgerClient.total(before)).isEqualTo(ACCOUNTS.length * LedgerClient.OPENING_BALANCE);
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.springBoot(Launch.ledgerJar(), data, port2))) {
            second.awaitPort(port2, START);
            assertThat(LedgerClient.accounts(port2)).isEqualTo(before);
            Matcher done = second.awaitOutput(RECOVERY_DONE, START);
            assertThat(Long.parseLong(done.group(2))).isEqualTo(ACCOUNTS.length + outcome[0] + outcome[1]);
        }
    }

    @Test
    void formAndJsonBodiesWithNonAsciiTextReplayByteIdentical() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        String before;
        try (ChildJvm first = ChildJvm.start("first", work, Launch.springBoot(Launch.ledgerJar(), data, port))) {
            first.awaitPort(port, START);
            // An HTML form (POST), then PATCH and PUT forms, which Spring's FormContentFilter parses, then JSON.
            assertThat(form(port, "POST", "/accounts", "id", "zoë", "balance", "10", "owner", "Zoë Ünal, 東京 ✓ & co=1").statusCode()).isEqualTo(201);
            assertThat(form(port, "PATCH", "/accounts/zo%C3%AB/owner", "owner", "Страна + «quotes»").statusCode()).isEqualTo(200);
            assertThat(Http.json(port, "POST", "/accounts", "{\"id\":\"bjørn\",\"balance\":3,\"owner\":\"Bjørn 😀 \\\"q\\\"\"}").statusCode()).isEqualTo(201);
            assertThat(form(port, "PUT", "/accounts/bj%C3%B8rn/owner", "owner", "Ĳsselmeer – café").statusCode()).isEqualTo(200);
            assertThat(Http.json(port, "PATCH", "/accounts/zo%C3%AB/owner", "{\"owner\":\"Zoë ½ ∑ 𝄞\"}").statusCode()).isEqualTo(200);
            before = LedgerClient.accounts(port);
            first.kill();
        }
        assertThat(before).contains("\"owner\":\"Ĳsselmeer – café\"").contains("\"owner\":\"Zoë ½ ∑ ").contains("\"id\":\"zoë\"");
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.springBoot(Launch.ledgerJar(), data, port2))) {
            second.awaitPort(port2, START);
            assertThat(LedgerClient.accounts(port2)).isEqualTo(before);
            assertThat(second.awaitOutput(RECOVERY_DONE, START).group(2)).isEqualTo("5");
        }
    }

    @Test
    void aJournalThatCannotBeReplayedKeepsTheConnectorClosedAndStopsSpringBoot() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm first = ChildJvm.start("first", work, Launch.springBoot(Launch.ledgerJar(), data, port))) {
            first.awaitPort(port, START);
            LedgerClient.open(port, "alice", 100);
            LedgerClient.open(port, "corruptme", 1);
            LedgerClient.open(port, "bob", 0);
            first.kill();
        }
        // One byte of the middle entry's body changes: its checksum no longer matches (C6), and it is not the torn tail.
        Path queueFile;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(data.resolve("journal"))) {
            queueFile = files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(queueFile);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("corruptme");
        assertThat(at).isPositive();
        bytes[at] = 'C';
        java.nio.file.Files.write(queueFile, bytes);

        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.springBoot(Launch.ledgerJar(), data, port2))) {
            assertThat(second.waitFor(START)).as("Spring Boot stops").isNotZero();
            assertThat(second.output())
                    .contains("Unable to start embedded Tomcat server")
                    .containsPattern("Journal entry at position \\d+ in \\S+ is corrupt");
            assertThat(ChildJvm.accepts(port2)).isFalse();
        }
    }

    private static HttpResponse<String> form(int port, String method, String path, String... pairs) throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return Http.send(port, method, path, "application/x-www-form-urlencoded",
                body.toString().getBytes(StandardCharsets.US_ASCII), false);
    }
}
