package io.reprise.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The JDK under test, the built jars, and command lines for the services the tests start. */
final class Launch {

    private Launch() {
    }

    static Path javaHome() {
        Path home = Path.of(property("reprise.it.java.home"));
        if (!Files.isExecutable(home.resolve("bin/java"))) {
            throw new IllegalStateException("no JDK at " + home + " (reprise.it.java.home); for the JDK 25 run, "
                    + "install it or point -Djdk25.home at it");
        }
        return home;
    }

    static String java() {
        return javaHome().resolve("bin/java").toString();
    }

    /** Feature version of the JDK under test, e.g. 17 or 25. */
    static int javaVersion() {
        try {
            Path release = javaHome().resolve("release");
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("cannot read the version of " + javaHome());
    }

    static String agentJar() {
        return existing("reprise.it.agent");
    }

    static String counterJar() {
        return existing("reprise.it.counter");
    }

    /** tools/target/reprise-tools.jar, the operator tool ({@code java -jar ... dump DIR}). */
    static String toolsJar() {
        return existing("reprise.it.tools");
    }

    static String ledgerJar() {
        return existing("reprise.it.ledger");
    }

    /** The ledger sample's sources built with Spring Boot 3 on Jetty 12 instead of Tomcat. */
    static String ledgerJettyJar() {
        return existing("reprise.it.ledger.jetty");
    }

    /** The ledger sample's sources built with Spring Boot 2.7: Tomcat 9 and javax.servlet. */
    static String ledgerJavaxJar() {
        return existing("reprise.it.ledger.javax");
    }

    static String ledgerBoot4Jar() {
        return existing("reprise.it.ledger.boot4");
    }

    static String ledgerBoot4JettyJar() {
        return existing("reprise.it.ledger.boot4.jetty");
    }

    /** Notes in JPA (Hibernate, H2 in memory) on Spring Boot 4 and Tomcat 11: integration-tests/apps/notes-jpa-boot4. */
    static String notesJpaBoot4Jar() {
        return existing("reprise.it.notes.jpa.boot4");
    }

    /** Notes behind Spring Security's form login on Spring Boot 3 and Tomcat: integration-tests/apps/notes-security. */
    static String notesSecurityJar() {
        return existing("reprise.it.notes.security");
    }

    /** The same on Jetty 12 (ee10): integration-tests/apps/notes-security-jetty. */
    static String notesSecurityJettyJar() {
        return existing("reprise.it.notes.security.jetty");
    }

    /**
     * {@code -XX:TieredStopAtLevel=1 -javaagent:... -Dreprise.dir=DIR [extra JVM options] -jar JAR --server.port=PORT
     * --server.address=127.0.0.1}.
     */
    static List<String> springBoot(String jar, Path dataDir, int port, String... jvmOptions) {
        List<String> args = new ArrayList<>();
        args.add("-XX:TieredStopAtLevel=1"); // C1 only: Spring Boot starts in about two thirds of the time
        args.add("-javaagent:" + agentJar());
        args.add("-Dreprise.dir=" + dataDir);
        args.addAll(List.of(jvmOptions));
        args.addAll(List.of("-jar", jar, "--server.port=" + port, "--server.address=127.0.0.1"));
        return args;
    }

    /** A fixture application's main class, with the agent, on the fixture class path. */
    static List<String> fixture(String mainClass, Path dataDir, int port, String... jvmOptions) {
        List<String> args = new ArrayList<>();
        args.add("-javaagent:" + agentJar());
        args.add("-Dreprise.dir=" + dataDir);
        args.addAll(List.of(jvmOptions));
        args.addAll(List.of("-cp", fixtureClasspath(), mainClass, "--port", Integer.toString(port)));
        return args;
    }

    /** {@code mainClass} with the agent, on {@code classpath} alone (not the fixture class path). */
    static List<String> onClasspath(String classpath, String mainClass, Path dataDir, int port, String... jvmOptions) {
        List<String> args = new ArrayList<>();
        args.add("-javaagent:" + agentJar());
        args.add("-Dreprise.dir=" + dataDir);
        args.addAll(List.of(jvmOptions));
        args.addAll(List.of("-cp", classpath, mainClass, "--port", Integer.toString(port)));
        return args;
    }

    /** Class path of the fixture applications: the test classes plus their libraries. */
    static String fixtureClasspath() {
        String libs = fixtureLibraries();
        return fixtureClasses() + (libs.isEmpty() ? "" : java.io.File.pathSeparator + libs);
    }

    /** The compiled test classes and resources (META-INF/services naming {@code FixtureSnapshots} among them). */
    static Path fixtureClasses() {
        return Path.of(property("reprise.it.fixture.classes"));
    }

    /** The fixture applications' libraries (reprise-snapshot, Tomcat, ...), as a class path; no test classes. */
    static String fixtureLibraries() {
        try {
            return Files.readString(Path.of(property("reprise.it.fixture.classpath"))).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code -javaagent:... -Dreprise.dir=DIR [extra JVM options] -jar counter-sample.jar --host 127.0.0.1 --port PORT}. */
    static List<String> counter(Path dataDir, int port, String... jvmOptions) {
        List<String> args = new ArrayList<>();
        args.add("-javaagent:" + agentJar());
        args.add("-Dreprise.dir=" + dataDir);
        args.addAll(List.of(jvmOptions));
        args.addAll(List.of("-jar", counterJar(), "--host", "127.0.0.1", "--port", Integer.toString(port)));
        return args;
    }

    /** The fixture application with the agent. */
    static List<String> fixture(Path dataDir, int port, String... jvmOptions) {
        List<String> args = new ArrayList<>();
        args.add("-javaagent:" + agentJar());
        args.add("-Dreprise.dir=" + dataDir);
        args.addAll(List.of(jvmOptions));
        args.addAll(List.of("-cp", fixtureClasspath(), "io.reprise.it.fixtures.FixtureApp", "--port", Integer.toString(port)));
        return args;
    }

    /** Ports handed out so far in this JVM. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A free loopback port never handed out before in this test JVM: the tests share one HttpClient, whose pool may
     * still hold a keep-alive connection to a server killed on that port earlier; reusing it fails the request.
     */
    static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no fresh loopback port after 100 attempts");
    }

    private static String existing(String key) {
        String path = property(key);
        if (!Files.isRegularFile(Path.of(path))) {
            throw new IllegalStateException(path + " (" + key + ") does not exist; run the build from the root: mvn -B verify");
        }
        return path;
    }

    private static String property(String key) {
        String value = System.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("system property " + key + " is not set; run these tests through Maven (mvn -B verify)");
        }
        return value;
    }
}
