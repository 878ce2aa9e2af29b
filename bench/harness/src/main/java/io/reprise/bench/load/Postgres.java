package io.reprise.bench.load;

import io.reprise.bench.proc.Commands;
import io.reprise.bench.proc.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster: initdb in a new temporary directory, started with pg_ctl on a loopback port with
 * {@code synchronous_commit=on} and {@code fsync=on} (the defaults, set explicitly so the report can say so), stopped
 * and deleted at the end. PostgreSQL refuses to run as root; as root the cluster belongs to the {@code postgres} user
 * (Debian's packages create it) and every command runs through {@code runuser}.
 */
final class Postgres implements AutoCloseable {

    static final String USER = "bench";

    private final Path bin;
    private final Path dir;
    private final String runAs; // null: the current user
    private final int port;
    private final Path logCopy;
    private final Thread stopAtExit = new Thread(this::closeQuietly, "bench-postgres-stop");
    private boolean closed;

    private Postgres(Path bin, Path dir, String runAs, int port, Path logCopy) {
        this.bin = bin;
        this.dir = dir;
        this.runAs = runAs;
        this.port = port;
        this.logCopy = logCopy;
    }

    /** The directory with initdb and pg_ctl: on the PATH, else Debian's newest /usr/lib/postgresql/N/bin. */
    static Path binDir() {
        Path pgCtl = Commands.which("pg_ctl");
        if (pgCtl != null && Files.isExecutable(pgCtl.resolveSibling("initdb"))) {
            try {
                return pgCtl.toRealPath().getParent();
            } catch (IOException e) {
                return pgCtl.getParent();
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(debian)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(debian)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int version(String name) {
        try {
            return Integer.parseInt(name.replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Why PostgreSQL scenarios cannot run here, or null if they can. */
    static String unavailableReason() {
        if (binDir() == null) {
            return "PostgreSQL is not installed (Debian package postgresql; bench/run.sh installs it when run as root)";
        }
        if (isRoot() && Commands.which("runuser") == null && !Files.isExecutable(Path.of("/usr/sbin/runuser"))) {
            return "running as root, and runuser (util-linux) is missing to start PostgreSQL as another user";
        }
        return null;
    }

    static boolean isRoot() {
        return "0".equals(Commands.firstLine("id", "-u"));
    }

    /** The commands the report shows. */
    static List<String> describe() {
        return List.of(
                "initdb -D $PGDATA -U bench -A trust -E UTF8",
                "pg_ctl -D $PGDATA -w -o \"-c port=$PGPORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PGDATA"
                        + " -c synchronous_commit=on -c fsync=on\" start",
                "(as the postgres user when run as root: PostgreSQL refuses to run as root)");
    }

    static Postgres start(Path logDir) throws IOException, InterruptedException {
        Path bin = binDir();
        Path dir = Files.createTempDirectory("reprise-bench-pg");
        String runAs = null;
        if (isRoot()) {
            runAs = userExists("postgres") ? "postgres" : "nobody";
            UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(runAs);
            Files.setOwner(dir, owner);
        }
        int port = Ports.free();
        Files.createDirectories(logDir);
        Postgres pg = new Postgres(bin, dir, runAs, port, logDir.resolve("postgres.log"));
        // pg_ctl starts the server as a daemon, not a child: if the harness is interrupted, stop it all the same.
        Runtime.getRuntime().addShutdownHook(pg.stopAtExit);
        try {
            pg.as(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
                    "-A", "trust", "-E", "UTF8"), 120);
            pg.as(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                    dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                    "-c port=" + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                            + " -c synchronous_commit=on -c fsync=on", "start"), 90);
        } catch (IOException | InterruptedException | RuntimeException e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    private static boolean userExists(String name) {
        try {
            return Commands.run(List.of("id", "-u", name), 10).ok();
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private String as(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (runAs != null) {
            full.addAll(List.of("runuser", "-u", runAs, "--"));
        }
        full.addAll(command);
        return Commands.check(full, timeoutSeconds);
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    int port() {
        return port;
    }

    /** The server version, as psql would print it. */
    String version() {
        return Commands.firstLine(bin.resolve("postgres").toString(), "--version");
    }

    private void closeQuietly() {
        try {
            close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != stopAtExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopAtExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to; it finds the cluster closed
            }
        }
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                as(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w",
                        "-t", "60", "stop"), 90);
            }
        } catch (IOException e) {
            System.err.println("bench: could not stop PostgreSQL in " + dir + ": " + e.getMessage());
        }
        try {
            if (Files.exists(dir.resolve("server.log"))) {
                Files.copy(dir.resolve("server.log"), logCopy, StandardCopyOption.REPLACE_EXISTING);
            }
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
