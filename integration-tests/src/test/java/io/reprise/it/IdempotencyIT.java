package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Idempotency-Key on real JVMs with the agent: a keyed request is applied once, and its retry gets the first answer,
 * live, after SIGKILL, after a restore from a snapshot, on the JDK server and on Spring Boot (Tomcat, and Jetty on
 * JDK 17), on a runtime
 * without {@code jdk.compiler}; the draft's refusals are answered without applying anything.
 */
class IdempotencyIT {

    static final Duration START = Duration.ofSeconds(90);
    static final Duration WAIT = Duration.ofSeconds(30);
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path work;

    /** A POST with headers given as name, value, name, value, ... */
    static HttpResponse<String> post(int port, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(WAIT).POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String get(int port, String path) throws Exception {
        return Http.send(port, "GET", path, null).body().trim();
    }

    static boolean replayed(HttpResponse<String> response) {
        return response.headers().firstValue("Idempotent-Replayed").orElse("").equals("true");
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            ChildJvm.pause();
        }
    }

    /**
     * Writes a request on a socket of its own and returns the socket without reading a byte of the answer: a client
     * whose answer is lost when the service dies.
     */
    static Socket sendUnread(int port, String method, String path, String body, String... headers) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        request.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.write(bytes);
        out.flush();
        return socket;
    }

    /** The status line and the rest of a raw request's answer (the server closes after it). */
    static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void theDraftsAnswersLiveAfterASigkillAndFromASnapshotOnTheJdkServer() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        String[] options = {"-Dreprise.idempotency.required=/items"};
        try (ChildJvm app = ChildJvm.start("first", work, Launch.fixture(data, port, options))) {
            app.awaitPort(port, START);
            HttpResponse<String> first = post(port, "/counter", "", "Idempotency-Key", "a");
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("1");
            assertThat(replayed(first)).isFalse();
            HttpResponse<String> again = post(port, "/counter", "", "Idempotency-Key", "a");
            assertThat(again.body()).isEqualTo("1");
            assertThat(replayed(again)).isTrue();
            assertThat(get(port, "/counter")).as("applied once").isEqualTo("1");

            HttpResponse<String> mismatch = post(port, "/counter", "other body", "Idempotency-Key", "a");
            assertThat(mismatch.statusCode()).isEqualTo(422);
            assertThat(mismatch.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(mismatch.body()).contains("urn:reprise:problem:idempotency-key:mismatch");

            String twoFields = raw(port, "POST /counter HTTP/1.1\r\nHost: x\r\nIdempotency-Key: b\r\nIdempotency-Key: c\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n");
            assertThat(twoFields).startsWith("HTTP/1.1 400").contains("idempotency-key:malformed");

            HttpResponse<String> missing = post(port, "/items", "x");
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(missing.body()).contains("idempotency-key:missing");
            assertThat(get(port, "/items")).as("not applied").isEmpty();
            assertThat(post(port, "/items", "x", "Idempotency-Key", "item-x").statusCode()).isEqualTo(201);

            // The first request of key h waits in its handler; the same key meanwhile is 409, and nothing is applied.
            CompletableFuture<HttpResponse<String>> held = CLIENT.sendAsync(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/hold")).timeout(WAIT).header("Idempotency-Key", "h")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            await("the first /hold to enter its handler", () -> {
                try {
                    return get(port, "/hold").equals("entered 1");
                } catch (Exception e) {
                    return false;
                }
            });
            List<CompletableFuture<HttpResponse<String>>> duplicates = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                duplicates.add(CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hold"))
                        .timeout(WAIT).header("Idempotency-Key", "h").POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> duplicate : duplicates) {
                HttpResponse<String> r = duplicate.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(409);
                assertThat(r.body()).contains("idempotency-key:in-flight");
            }
            get(port, "/hold/release");
            assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS).body()).isEqualTo("held 1");
            HttpResponse<String> afterHeld = post(port, "/hold", "", "Idempotency-Key", "h");
            assertThat(afterHeld.body()).isEqualTo("held 1");
            assertThat(replayed(afterHeld)).isTrue();
            assertThat(get(port, "/hold")).as("exactly one applied").isEqualTo("entered 1");
            app.kill();
        }

        int port2 = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("after-kill", work, Launch.fixture(data, port2, options))) {
            app.awaitPort(port2, START);
            HttpResponse<String> retry = post(port2, "/counter", "", "Idempotency-Key", "a");
            assertThat(retry.body()).isEqualTo("1");
            assertThat(replayed(retry)).as("the key table was rebuilt by replay").isTrue();
            assertThat(post(port2, "/hold", "", "Idempotency-Key", "h").body()).isEqualTo("held 1");
            assertThat(post(port2, "/counter", "other body", "Idempotency-Key", "a").statusCode()).isEqualTo(422);
            assertThat(get(port2, "/counter")).isEqualTo("1");
            assertThat(post(port2, "/counter", "", "Idempotency-Key", "s").body()).isEqualTo("2");
            assertThat(app.terminate()).as("SIGTERM: an orderly stop, which takes a final snapshot").isIn(0, 143);
        }
        assertThat(java.nio.file.Files.list(data.resolve("snapshots")).count()).isPositive();

        int port3 = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("from-snapshot", work, Launch.fixture(data, port3, options))) {
            app.awaitPort(port3, START);
            app.awaitOutput("recovery done: snapshot position [0-9]+, replayed 0 entries", WAIT);
            for (String key : new String[] {"a", "s"}) {
                HttpResponse<String> retry = post(port3, "/counter", "", "Idempotency-Key", key);
                assertThat(replayed(retry)).as("key %s from the snapshot's section", key).isTrue();
            }
            assertThat(get(port3, "/counter")).isEqualTo("2");
            app.kill();
        }
    }

    @Test
    void keysExpireAfterTheTtlAndTheOldestAreForgottenAtMaxKeys() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("bounds", work, Launch.fixture(data, port,
                "-Dreprise.idempotency.max-keys=2", "-Dreprise.idempotency.ttl=2s"))) {
            app.awaitPort(port, START);
            for (String key : new String[] {"k1", "k2", "k3"}) {
                assertThat(replayed(post(port, "/counter", "", "Idempotency-Key", key))).isFalse();
            }
            assertThat(replayed(post(port, "/counter", "", "Idempotency-Key", "k3"))).isTrue();
            HttpResponse<String> forgotten = post(port, "/counter", "", "Idempotency-Key", "k1");
            assertThat(replayed(forgotten)).as("k1 was forgotten at max-keys=2").isFalse();
            assertThat(forgotten.body()).isEqualTo("4");

            long applied = System.nanoTime();
            assertThat(post(port, "/counter", "", "Idempotency-Key", "e").body()).isEqualTo("5");
            await("the ttl of 2 s to pass", () -> System.nanoTime() - applied > Duration.ofMillis(2_500).toNanos());
            HttpResponse<String> expired = post(port, "/counter", "", "Idempotency-Key", "e");
            assertThat(replayed(expired)).as("e expired").isFalse();
            assertThat(expired.body()).isEqualTo("6");
            app.kill();
        }
    }

    @Test
    void aThousandKeyedIncrementsRetriedAcrossFiveSigkillsCountExactlyOnce() throws Exception {
        Path data = work.resolve("data");
        long seed = Long.getLong("reprise.idempotency.seed", System.nanoTime());
        System.out.println("IdempotencyIT: seed " + seed);
        Random random = new Random(seed);
        int total = 1000;
        Set<Integer> kills = new HashSet<>();
        while (kills.size() < 5) {
            kills.add(1 + random.nextInt(total - 1));
        }
        Set<String> answers = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        int next = 0;
        int restarts = 0;
        while (next < total) {
            int port = Launch.freePort();
            try (ChildJvm app = ChildJvm.start("counter-" + restarts, work, Launch.counter(data, port,
                    "-Dreprise.snapshot.every=150"))) {
                app.awaitPort(port, START);
                for (; next < total; next++) {
                    String key = "inc-" + next;
                    if (kills.remove(next)) {
                        // The increment goes out, and the service dies while it is applied or answered: its client
                        // does not know which, and retries with the same key after the restart.
                        Socket lost = sendUnread(port, "POST", "/counter/increment", "", "Idempotency-Key", key);
                        Thread.sleep(random.nextInt(4));
                        app.kill();
                        lost.close();
                        break;
                    }
                    HttpResponse<String> r = post(port, "/counter/increment", "", "Idempotency-Key", key);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    assertThat(answers.add(r.body().trim())).as("answer %s of %s is new", r.body(), key).isTrue();
                    assertThat(System.nanoTime()).as("bounded").isLessThan(deadline);
                }
                if (next == total) {
                    assertThat(get(port, "/counter")).isEqualTo(Integer.toString(total));
                }
            }
            restarts++;
            assertThat(restarts).as("bounded restarts").isLessThanOrEqualTo(6);
        }
        assertThat(restarts).isEqualTo(6);
        Set<String> expected = new HashSet<>();
        for (int i = 1; i <= total; i++) {
            expected.add(Integer.toString(i));
        }
        assertThat(answers).as("every increment answered once, with its own value").isEqualTo(expected);
    }

    @Test
    void theKeyTableWorksOnARuntimeWithoutJdkCompiler() throws Exception {
        Path runtime = work.resolve("jre");
        Process jlink = new ProcessBuilder(Launch.javaHome().resolve("bin/jlink").toString(), "--add-modules",
                "java.base,java.logging,java.management,java.instrument,java.naming,jdk.httpserver,jdk.unsupported,jdk.management",
                "--no-header-files", "--no-man-pages", "--output", runtime.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("jlink.log").toFile()).start();
        assertThat(jlink.waitFor(120, TimeUnit.SECONDS)).as("jlink finished").isTrue();
        assertThat(jlink.exitValue()).as(java.nio.file.Files.readString(work.resolve("jlink.log"))).isZero();
        Process modules = new ProcessBuilder(runtime.resolve("bin/java").toString(), "--list-modules")
                .redirectErrorStream(true).start();
        String list = new String(modules.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(modules.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(list).contains("jdk.httpserver").doesNotContain("jdk.compiler").doesNotContain("java.compiler");

        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.startOn(runtime, "jre-first", work, Launch.counter(data, port))) {
            app.awaitPort(port, START);
            assertThat(post(port, "/counter/increment", "", "Idempotency-Key", "j").body()).isEqualTo("1");
            app.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm app = ChildJvm.startOn(runtime, "jre-second", work, Launch.counter(data, port2))) {
            app.awaitPort(port2, START);
            HttpResponse<String> retry = post(port2, "/counter/increment", "", "Idempotency-Key", "j");
            assertThat(retry.body()).isEqualTo("1");
            assertThat(replayed(retry)).isTrue();
            assertThat(get(port2, "/counter")).isEqualTo("1");
            app.kill();
        }
    }

    /** Spring Boot on Tomcat on both JDKs; on Jetty too on JDK 17 (the servlet glue is the same; CI time is not). */
    static List<String> ledgers() {
        return Launch.javaVersion() < 25 ? List.of("tomcat", "jetty") : List.of("tomcat");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ledgers")
    void aLedgerTransferKilledBeforeItsAnswerWasReadMovesTheMoneyOnceAndItsRetryGetsTheAnswer(String server)
            throws Exception {
        String jar = server.equals("jetty") ? Launch.ledgerJettyJar() : Launch.ledgerJar();
        Path data = work.resolve("data");
        String t1 = "{\"from\":\"alice\",\"to\":\"bob\",\"amount\":7}";
        String t2 = "{\"from\":\"carol\",\"to\":\"dave\",\"amount\":9}";
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("ledger-first", work, Launch.springBoot(jar, data, port))) {
            app.awaitPort(port, START);
            LedgerClient.openAll(port);
            Socket lost = sendUnread(port, "POST", "/transfers", t1, "Content-Type", "application/json",
                    "Idempotency-Key", "t1");
            await("the transfer to be applied", () -> balance(port, "alice") == 43);
            app.kill();
            lost.close();
        }
        int port2 = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("ledger-second", work, Launch.springBoot(jar, data, port2))) {
            app.awaitPort(port2, START);
            HttpResponse<String> retry = post(port2, "/transfers", t1, "Content-Type", "application/json",
                    "Idempotency-Key", "t1");
            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
            assertThat(replayed(retry)).isTrue();
            assertThat(retry.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            assertThat(retry.body()).contains("\"id\":\"alice\"", "\"balance\":43", "\"id\":\"bob\"", "\"balance\":57");
            assertThat(balance(port2, "alice")).as("moved once").isEqualTo(43);
            assertThat(balance(port2, "bob")).isEqualTo(57);
            HttpResponse<String> mismatch = post(port2, "/transfers", t1.replace("7", "8"), "Content-Type",
                    "application/json", "Idempotency-Key", "t1");
            assertThat(mismatch.statusCode()).isEqualTo(422);

            Socket lost = sendUnread(port2, "POST", "/transfers", t2, "Content-Type", "application/json",
                    "Idempotency-Key", "t2");
            await("the second transfer to be applied", () -> balance(port2, "carol") == 41);
            lost.close();
            assertThat(app.terminate()).as("SIGTERM: an orderly stop, which takes a final snapshot").isIn(0, 143);
        }
        int port3 = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("ledger-third", work, Launch.springBoot(jar, data, port3))) {
            app.awaitPort(port3, START);
            app.awaitOutput("recovery done: snapshot position [0-9]+, replayed 0 entries", WAIT);
            HttpResponse<String> retry = post(port3, "/transfers", t2, "Content-Type", "application/json",
                    "Idempotency-Key", "t2");
            assertThat(retry.statusCode()).isEqualTo(200);
            assertThat(replayed(retry)).as("t2's answer from the snapshot's key table").isTrue();
            assertThat(replayed(post(port3, "/transfers", t1, "Content-Type", "application/json",
                    "Idempotency-Key", "t1"))).isTrue();
            assertThat(balance(port3, "carol")).isEqualTo(41);
            assertThat(balance(port3, "dave")).isEqualTo(59);
            assertThat(balance(port3, "alice")).isEqualTo(43);
            app.kill();
        }
    }

    /** An account's balance, or -1 when it cannot be read right now. */
    static long balance(int port, String id) {
        try {
            String body = Http.send(port, "GET", "/accounts/" + id, null).body();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"balance\":(-?[0-9]+)").matcher(body);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
