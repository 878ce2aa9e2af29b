package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain embedded Tomcat without Spring (fixtures/TomcatFixtureApp): what the application sees of a replayed
 * request is what it saw live, byte for byte, through the same filter; and asynchronous journaled requests are
 * refused with one log line.
 */
class PlainTomcatIT {

    static final Duration START = Duration.ofSeconds(60);
    static final String MAIN = "io.reprise.it.fixtures.TomcatFixtureApp";

    @TempDir
    Path work;

    @Test
    void bodiesFormsAndEncodingsReplayByteIdenticalThroughTheSameFilter() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        byte[] allBytes = new byte[256];
        for (int i = 0; i < 256; i++) {
            allBytes[i] = (byte) i;
        }
        String before;
        try (ChildJvm first = ChildJvm.start("first", work, Launch.fixture(MAIN, data, port))) {
            first.awaitPort(port, START);
            send(port, "POST", "/records/form?q=%C3%A9t%C3%A9&a=0", "application/x-www-form-urlencoded",
                    ascii("name=Zo%C3%AB+%C3%9Cnal&city=%E6%9D%B1%E4%BA%AC&empty=&a=1&a=2&bad=%zz"), false);
            send(port, "POST", "/records/latin1", "application/x-www-form-urlencoded; charset=ISO-8859-1",
                    ascii("name=Ren%E9e&sign=%A7"), false);
            send(port, "PUT", "/records/put-form", "application/x-www-form-urlencoded", ascii("owner=%C3%98ystein"), false);
            send(port, "POST", "/records/json", "application/json; charset=UTF-8",
                    "{\"text\":\"Grüße 😀 東京 \\u0000 ∑\"}".getBytes(StandardCharsets.UTF_8), false);
            send(port, "PATCH", "/records/json-no-charset", "application/json",
                    "{\"text\":\"Ærø – ½\"}".getBytes(StandardCharsets.UTF_8), false);
            send(port, "POST", "/records/octets", "application/octet-stream", allBytes, false);
            send(port, "POST", "/records/chunked", "text/plain; charset=UTF-16", "Zoë chunked".getBytes(StandardCharsets.UTF_16), true);
            send(port, "DELETE", "/records/x%20y?check=%E2%9C%93", "text/plain", new byte[0], false);
            before = Http.send(port, "GET", "/records", null).body();
            first.kill();
        }
        assertThat(before.lines()).hasSize(8).allMatch(line -> line.contains("filtered=yes"));
        assertThat(before)
                .contains("POST /records/form query=q=%C3%A9t%C3%A9&a=0 type=application/x-www-form-urlencoded encoding=UTF-8 filtered=yes "
                        + "q=\\u00e9t\\u00e9 a=0|1|2 name=Zo\\u00eb \\u00dcnal city=\\u6771\\u4eac empty=")
                .contains("name=Ren\\u00e9e sign=\\u00a7")
                .contains("bytes=256 sha256=40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880");
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.fixture(MAIN, data, port2))) {
            second.awaitPort(port2, START);
            assertThat(Http.send(port2, "GET", "/records", null).body()).isEqualTo(before);
            assertThat(second.awaitOutput(CounterRecoveryIT.RECOVERY_DONE, START).group(2)).isEqualTo("8");
        }
    }

    @Test
    void aJournaledRequestThatGoesAsynchronousIsRefusedWithOneLogLine() throws Exception {
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.fixture(MAIN, work.resolve("data"), port))) {
            app.awaitPort(port, START);
            assertThat(Http.send(port, "POST", "/async", "x").statusCode()).isEqualTo(500);
            assertThat(Http.send(port, "POST", "/async", "x").statusCode()).isEqualTo(500);
            String refused = "reprise: POST /async called startAsync(); asynchronous processing is refused for journaled requests";
            app.awaitOutput(Pattern.quote(refused), START);
            assertThat(app.output().split(Pattern.quote("WARNING: " + refused), -1)).as("logged once").hasSize(2);
            assertThat(Http.send(port, "GET", "/records", null).statusCode()).as("the server still serves").isEqualTo(200);
        }
    }

    private static void send(int port, String method, String path, String type, byte[] body, boolean chunked) throws Exception {
        HttpResponse<String> r = Http.send(port, method, path, type, body, chunked);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
