package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ledger sample's code on the other supported stacks: Spring Boot 3 on Jetty 12.0 (ee10), Spring Boot 2.7 on
 * Tomcat 9 (javax.servlet), Spring Boot 4 on Tomcat 11 and on Jetty 12.1 (ee11). Competing transfers, SIGKILL,
 * recovery: identical balances.
 */
class LedgerOnOtherServersIT {

    static final Duration START = Duration.ofSeconds(120);

    @TempDir
    Path work;

    static Stream<Arguments> stacks() {
        return Stream.of(
                Arguments.of("Spring Boot 3, Jetty 12.0 (ee10)", Launch.ledgerJettyJar(), "Jetty"),
                Arguments.of("Spring Boot 2.7, Tomcat 9 (javax.servlet)", Launch.ledgerJavaxJar(), "Tomcat"),
                Arguments.of("Spring Boot 4, Tomcat 11", Launch.ledgerBoot4Jar(), "Tomcat"),
                Arguments.of("Spring Boot 4, Jetty 12.1 (ee11)", Launch.ledgerBoot4JettyJar(), "Jetty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void competingTransfersSurviveSigkill(String stack, String jar, String server) throws Exception {
        survivesSigkill(jar, server);
    }

    private void survivesSigkill(String jar, String server) throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        String before;
        long[] outcome;
        try (ChildJvm first = ChildJvm.start("first", work, Launch.springBoot(jar, data, port))) {
            first.awaitPort(port, START);
            assertThat(first.output()).contains(server);
            LedgerClient.openAll(port);
            outcome = LedgerClient.competingTransfers(port, 4, Duration.ofSeconds(2));
            before = LedgerClient.accounts(port);
            first.kill();
        }
        assertThat(outcome[0]).as("transfers done").isGreaterThan(20);
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.springBoot(jar, data, port2))) {
            second.awaitPort(port2, START);
            assertThat(LedgerClient.accounts(port2)).isEqualTo(before);
            Matcher done = second.awaitOutput(CounterRecoveryIT.RECOVERY_DONE, START);
            assertThat(Long.parseLong(done.group(2))).isEqualTo(LedgerClient.ACCOUNTS.length + outcome[0] + outcome[1]);
        }
    }
}
