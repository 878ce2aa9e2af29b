package io.reprise.tools;

import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * On JDK 24 and later, Chronicle's use of {@code sun.misc.Unsafe} makes the JVM print a four-line
 * warning on every run, and the only switch for it is a command-line flag, which a jar manifest cannot
 * carry (the JDK internals Chronicle needs are opened by the manifest's {@code Add-Opens} and
 * {@code Add-Exports}, which work on every JDK). So on those JDKs the tool starts itself once more with
 * {@code --sun-misc-unsafe-memory-access=allow}, unless the user gave that flag, and passes on its exit
 * status. On JDK 17 to 23 nothing happens.
 */
final class Relaunch {

    private static final String FLAG = "--sun-misc-unsafe-memory-access";
    private static final String MARKER = "reprise.tools.relaunched";

    private Relaunch() {
        throw new AssertionError("not instantiable");
    }

    /** The exit status of the relaunched tool, or -1 if this JVM should run the command itself. */
    static int ifNeeded(String[] args) {
        if (Runtime.version().feature() < 24 || System.getProperty(MARKER) != null) {
            return -1;
        }
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (jvmArgs.stream().anyMatch(a -> a.startsWith(FLAG))) {
            return -1;
        }
        Path jar;
        try {
            jar = Path.of(RepriseTool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return -1;
        }
        if (!Files.isRegularFile(jar)) {
            return -1; // not started from the jar (tests, an IDE): run here
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add(FLAG + "=allow");
        command.add("-D" + MARKER + "=true");
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        try {
            return new ProcessBuilder(command).inheritIO().start().waitFor();
        } catch (Exception e) {
            return -1; // run here, with the warning, rather than not at all
        }
    }
}
