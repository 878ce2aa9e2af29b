package io.reprise.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The SPI is the adapters' only way into the agent: no adapter class names the agent's core classes, and no core
 * class names an adapter (the services file is the only link). Read off the compiled class files' constant pools.
 */
class AdapterBoundaryTest {

    private static final List<String> CORE = List.of("io/reprise/agent/Reprise", "io/reprise/agent/Agent",
            "io/reprise/agent/Adapters", "io/reprise/agent/config/Config");

    @Test
    void noAdapterNamesTheAgentsCore() throws Exception {
        List<String> found = new ArrayList<>();
        for (Path c : classes("io/reprise/agent/adapter")) {
            String pool = constants(c);
            for (String core : CORE) {
                if (names(pool, core)) {
                    found.add(c.getFileName() + " names " + core);
                }
            }
        }
        assertThat(found).isEmpty();
        assertThat(classes("io/reprise/agent/adapter")).as("the adapters' classes were found").hasSizeGreaterThan(20);
    }

    @Test
    void noCoreClassNamesAnAdapter() throws Exception {
        List<String> found = new ArrayList<>();
        for (Path c : classes("io/reprise/agent")) {
            String rel = root().relativize(c).toString().replace('\\', '/');
            if (rel.startsWith("io/reprise/agent/adapter/")) {
                continue;
            }
            if (constants(c).contains("io/reprise/agent/adapter/")) {
                found.add(rel);
            }
        }
        assertThat(found).isEmpty();
    }

    /** Whether the class file's text names {@code internalName} itself, not a longer name it is a prefix of. */
    private static boolean names(String pool, String internalName) {
        for (int i = pool.indexOf(internalName); i >= 0; i = pool.indexOf(internalName, i + 1)) {
            int end = i + internalName.length();
            char next = end < pool.length() ? pool.charAt(end) : ';';
            if (!Character.isJavaIdentifierPart(next) && next != '/') {
                return true;
            }
        }
        return false;
    }

    /** The class file as Latin-1 text: its constant pool's UTF-8 entries appear in it verbatim for ASCII names. */
    private static String constants(Path classFile) throws Exception {
        return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
    }

    private static Path root() throws Exception {
        return Path.of(Adapters.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static List<Path> classes(String packagePath) throws Exception {
        try (Stream<Path> s = Files.walk(root().resolve(packagePath))) {
            return s.filter(p -> p.toString().endsWith(".class")).toList();
        }
    }
}
