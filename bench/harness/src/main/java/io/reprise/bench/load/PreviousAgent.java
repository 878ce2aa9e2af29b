package io.reprise.bench.load;

import io.reprise.bench.proc.Commands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The agent jar of an earlier release given with {@code --previous-agent}, and what identifies it in the report:
 * the path given, the label given ({@code --previous-agent-label}), the jar manifest's title and version, the commit
 * of the git checkout the jar sits in (when it sits in one, e.g. a worktree of the earlier commit built with
 * {@code mvn package}), and the jar's SHA-256.
 *
 * @param path    the jar, as given
 * @param label   {@code --previous-agent-label}, or null
 * @param version the manifest's {@code Implementation-Title} and {@code Implementation-Version}, or null
 * @param commit  {@code git rev-parse --short HEAD} of the checkout around the jar, "+ local changes" when
 *                {@code git status} shows some; null outside a checkout
 * @param sha256  the jar's SHA-256, hex
 */
public record PreviousAgent(String path, String label, String version, String commit, String sha256) {

    /**
     * @throws IOException if {@code jar} is not a readable jar with a {@code Premain-Class}, naming the path and how
     *                     to build one
     */
    public static PreviousAgent of(Path jar, String label) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("--previous-agent " + jar + ": no such file; build the earlier release's agent jar first"
                    + " (bench/README.md, \"Against the previous release\")");
        }
        String version;
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest m = j.getManifest();
            if (m == null || m.getMainAttributes().getValue("Premain-Class") == null) {
                throw new IOException("--previous-agent " + jar + " is not an agent jar (its manifest has no Premain-Class);"
                        + " give agent/target/reprise-agent.jar of the earlier release's build");
            }
            String title = m.getMainAttributes().getValue("Implementation-Title");
            String v = m.getMainAttributes().getValue("Implementation-Version");
            version = title == null && v == null ? null : ((title == null ? "" : title + " ") + (v == null ? "" : v)).trim();
        } catch (java.util.zip.ZipException e) {
            throw new IOException("--previous-agent " + jar + " is not a jar: " + e.getMessage(), e);
        }
        return new PreviousAgent(jar.toString(), label, version, commitAround(jar), sha256(jar));
    }

    /** One line for the report: label, path, version, commit, digest. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        if (label != null && !label.isBlank()) {
            s.append(label).append(": ");
        }
        s.append('`').append(path).append('`');
        if (version != null) {
            s.append(", ").append(version);
        }
        s.append(commit == null ? ", not in a git checkout" : ", built in a checkout of commit " + commit);
        s.append(", SHA-256 ").append(sha256, 0, Math.min(16, sha256.length())).append('…');
        return s.toString();
    }

    private static String commitAround(Path jar) {
        Path dir = jar.toAbsolutePath().getParent();
        try {
            Commands.Result head = Commands.run(List.of("git", "-C", dir.toString(), "rev-parse", "--short=12", "HEAD"), 30);
            if (!head.ok()) {
                return null;
            }
            String commit = head.output().trim();
            Commands.Result status = Commands.run(List.of("git", "-C", dir.toString(), "status", "--porcelain",
                    "--untracked-files=no"), 30);
            return commit + (status.ok() && !status.output().isBlank() ? " + local changes" : "");
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    private static String sha256(Path jar) throws IOException {
        try (InputStream in = Files.newInputStream(jar)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
