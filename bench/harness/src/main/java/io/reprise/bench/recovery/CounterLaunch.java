package io.reprise.bench.recovery;

import io.reprise.bench.Layout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command lines of the counter sample that the recovery steps start. */
final class CounterLaunch {

    private CounterLaunch() {
    }

    /** The counter without the agent. */
    static List<String> plain(Layout layout, String port) {
        List<String> cmd = new ArrayList<>(List.of(layout.java().toString()));
        cmd.addAll(List.of("-jar", layout.counterJar().toString(), "--host", "127.0.0.1", "--port", port));
        return cmd;
    }

    /** The counter with the agent on {@code dataDir}, with extra agent settings ({@code key=value}, no prefix). */
    static List<String> withAgent(Layout layout, String port, String dataDir, String... settings) {
        List<String> cmd = new ArrayList<>(List.of(layout.java().toString(), "-javaagent:" + layout.agentJar(),
                "-Dreprise.dir=" + dataDir));
        for (String s : settings) {
            cmd.add("-Dreprise." + s);
        }
        cmd.addAll(List.of("-jar", layout.counterJar().toString(), "--host", "127.0.0.1", "--port", port));
        return cmd;
    }

    static String show(List<String> cmd) {
        List<String> shown = new ArrayList<>(cmd);
        shown.set(0, "java");
        return String.join(" ", shown);
    }

    static String show(Layout layout, Path path) {
        return layout.show(path);
    }
}
