package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.it.fixtures.HttpsFixtureApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK {@code HttpsServer} (fixtures/HttpsFixtureApp): the handler of a journaled HTTPS request is given an
 * {@code HttpsExchange} with the live TLS session; on replay an {@code HttpsExchange} without one.
 */
class HttpsIT {

    static final Duration START = Duration.ofSeconds(60);
    static final String MAIN = "io.reprise.it.fixtures.HttpsFixtureApp";

    @TempDir
    Path work;

    @Test
    void aJournaledHttpsHandlerSeesTheLiveTlsSessionAndReplayAnHttpsExchangeWithout() throws Exception {
        Path keystore = keystore();
        HttpClient client = HttpClient.newBuilder()
                .sslContext(HttpsFixtureApp.sslContext(keystore))
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        Path data = work.resolve("data");
        int port = Launch.freePort();
        String option = "-Dfixture.keystore=" + keystore;
        try (ChildJvm first = ChildJvm.start("first", work, Launch.fixture(MAIN, data, port, option))) {
            first.awaitPort(port, START);
            HttpResponse<String> live = send(client, port, "POST");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).as("what the journaled handler was given").matches("https protocol=TLSv1\\.[23]");
            first.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.fixture(MAIN, data, port2, option))) {
            second.awaitPort(port2, START);
            assertThat(second.awaitOutput(CounterRecoveryIT.RECOVERY_DONE, START).group(2)).isEqualTo("1");
            assertThat(send(client, port2, "GET").body()).as("the replayed handler's record").isEqualTo("https protocol=none");
        }
    }

    private static HttpResponse<String> send(HttpClient client, int port, String method) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/tls"))
                .timeout(Duration.ofSeconds(30))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("x") : HttpRequest.BodyPublishers.noBody())
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A self-signed key for 127.0.0.1, made by the JDK under test's keytool. */
    private Path keystore() throws Exception {
        Path keystore = work.resolve("server.p12");
        Process keytool = new ProcessBuilder(List.of(Launch.javaHome().resolve("bin/keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit"))
                .redirectErrorStream(true).redirectOutput(work.resolve("keytool.log").toFile()).start();
        if (!keytool.waitFor(60, TimeUnit.SECONDS)) {
            keytool.destroyForcibly();
            throw new IllegalStateException("keytool did not finish within 60 s");
        }
        assertThat(keytool.exitValue()).as("keytool: " + java.nio.file.Files.readString(work.resolve("keytool.log"))).isZero();
        return keystore;
    }
}
