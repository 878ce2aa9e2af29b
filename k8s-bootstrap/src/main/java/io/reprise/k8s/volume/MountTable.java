package io.reprise.k8s.volume;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mounts this process sees, from {@code /proc/self/mountinfo} (Linux), and which one holds a given path.
 */
public final class MountTable {

    /** Where Linux lists this process's mounts. */
    public static final Path PROC_SELF_MOUNTINFO = Path.of("/proc/self/mountinfo");

    /**
     * One line of mountinfo.
     *
     * @param root       the directory of the mounted file system that appears at {@code mountPoint} (for a bind
     *                   mount, e.g. a Kubernetes volume, the source directory on the node)
     * @param mountPoint where it appears in this process's view
     * @param fsType     the file-system type ({@code ext4}, {@code nfs4}, {@code overlay}, {@code fuse.sshfs}, ...)
     * @param source     the device or remote ({@code /dev/sdb}, {@code server:/export})
     */
    public record Mount(String root, Path mountPoint, String fsType, String source) {
    }

    private final List<Mount> mounts;

    private MountTable(List<Mount> mounts) {
        this.mounts = List.copyOf(mounts);
    }

    /** Reads this process's mount table; empty where there is none (not Linux). */
    public static MountTable read() {
        return read(PROC_SELF_MOUNTINFO);
    }

    static MountTable read(Path mountinfo) {
        try {
            return parse(Files.readString(mountinfo, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new MountTable(List.of());
        }
    }

    /**
     * Parses mountinfo text: {@code id parent major:minor root mountpoint options [optional fields] - fstype source
     * superoptions}, with spaces and the like in paths written as octal escapes ({@code \040}).
     */
    public static MountTable parse(String mountinfo) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] fields = line.trim().split(" ");
            int dash = List.of(fields).indexOf("-");
            if (fields.length < 5 || dash < 6 || dash + 2 >= fields.length) {
                continue;
            }
            mounts.add(new Mount(unescape(fields[3]), Path.of(unescape(fields[4])), fields[dash + 1], unescape(fields[dash + 2])));
        }
        return new MountTable(mounts);
    }

    public boolean isEmpty() {
        return mounts.isEmpty();
    }

    public List<Mount> mounts() {
        return mounts;
    }

    /**
     * The mount that holds {@code path}: the one with the longest mount point above it (the last such line, as a
     * later mount on the same point hides an earlier one). A path not created yet is looked up by its nearest
     * existing parent, after resolving symbolic links.
     */
    public Optional<Mount> holding(Path path) {
        Path p = resolve(path);
        Mount best = null;
        for (Mount m : mounts) {
            if (p.startsWith(m.mountPoint()) && (best == null || m.mountPoint().getNameCount() >= best.mountPoint().getNameCount())) {
                best = m;
            }
        }
        return Optional.ofNullable(best);
    }

    private static Path resolve(Path path) {
        Path p = path.toAbsolutePath().normalize();
        Path missing = p.getFileSystem().getPath("");
        while (p != null) {
            try {
                return p.toRealPath().resolve(missing);
            } catch (IOException e) {
                Path name = p.getFileName();
                missing = name == null ? missing : name.resolve(missing);
                p = p.getParent();
            }
        }
        return path.toAbsolutePath().normalize();
    }

    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
