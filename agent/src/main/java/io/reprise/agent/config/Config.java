package io.reprise.agent.config;

import io.reprise.journal.Journal;
import io.reprise.k8s.KubernetesSettings;
import io.reprise.k8s.lease.LeaseTimings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reprise's configuration, read once at agent start.
 *
 * <p>Every key can be given as an agent argument ({@code -javaagent:reprise-agent.jar=dir=/data,sync=none}),
 * a system property ({@code -Dreprise.dir=/data}) or an environment variable ({@code REPRISE_DIR=/data}),
 * in that order of precedence. In agent arguments the {@code reprise.} prefix may be left out, and a
 * comma-separated token without {@code =} continues the previous value, so list values need no quoting:
 * {@code journal.methods=POST,PUT,dir=/data}.
 *
 * <p>Unknown keys and bad values are refused with a {@link ConfigException} naming the key, so a typo
 * never silently turns durability off. The keys are documented in {@code docs/configuration.md}.
 */
public final class Config {

    public static final String PREFIX = "reprise.";

    /** The accepted keys with their defaults, in documentation order. */
    static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("reprise.enabled", "true");
        d.put("reprise.dir", "./reprise-data");
        d.put("reprise.mode", "serve");
        d.put("reprise.journal.methods", "POST,PUT,PATCH,DELETE");
        d.put("reprise.journal.exclude", "");
        d.put("reprise.journal.max-body", "16MiB");
        d.put("reprise.journal.retain", "needed");
        d.put("reprise.journal.min-free", "64MiB");
        d.put("reprise.journal.timeout", "30s");
        d.put("reprise.journal.queue", "1024");
        d.put("reprise.sync", "none");
        d.put("reprise.sync.interval", "100ms");
        d.put("reprise.snapshot.interval", "60s");
        d.put("reprise.snapshot.every", "100000");
        d.put("reprise.snapshot.keep", "2");
        d.put("reprise.recovery.on-error", "stop");
        d.put("reprise.recovery.compare", "status");
        d.put("reprise.recovery.on-divergence", "warn");
        d.put("reprise.recovery.truncate-corrupt", "false");
        d.put("reprise.deterministic", "true");
        d.put("reprise.sessions", "true");
        d.put("reprise.idempotency", "true");
        d.put("reprise.idempotency.required", "");
        d.put("reprise.idempotency.ttl", "24h");
        d.put("reprise.idempotency.max-keys", "1000000");
        d.put("reprise.idempotency.max-memory", "256MiB");
        d.put("reprise.idempotency.max-response", "1MiB");
        d.put("reprise.k8s.enabled", "auto");
        d.put("reprise.k8s.lease", "");
        d.put("reprise.k8s.lease.duration", "15s");
        d.put("reprise.k8s.lease.renew-deadline", "10s");
        d.put("reprise.k8s.lease.retry-period", "2s");
        d.put("reprise.k8s.allow-network-fs", "true");
        d.put("reprise.k8s.annotations.interval", "10s");
        d.put("reprise.k8s.pod", "");
        d.put("reprise.k8s.api-server", "");
        d.put("reprise.k8s.service-account-dir", KubernetesSettings.DEFAULT_SERVICE_ACCOUNT_DIR.toString());
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    private final Map<String, String> values;

    private Config(Map<String, String> values) {
        this.values = values;
    }

    /** Reads the configuration from the agent arguments, the system properties and the environment. */
    public static Config load(String agentArgs) {
        return load(agentArgs, System.getProperties(), System.getenv());
    }

    static Config load(String agentArgs, Map<?, ?> systemProperties, Map<String, String> environment) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        // Lowest precedence first, so that later sources overwrite earlier ones.
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("REPRISE_")) {
                continue;
            }
            String key = keyForEnvironmentVariable(name);
            if (key == null) {
                throw new ConfigException("unknown environment variable " + name + "; Reprise knows "
                        + String.join(", ", environmentNames()));
            }
            values.put(key, e.getValue());
        }
        for (Map.Entry<?, ?> e : systemProperties.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            requireKnown(key, "system property -D" + key);
            values.put(key, String.valueOf(e.getValue()));
        }
        for (Map.Entry<String, String> e : parseAgentArguments(agentArgs).entrySet()) {
            values.put(e.getKey(), e.getValue());
        }
        Config config = new Config(values);
        config.validate();
        return config;
    }

    static Map<String, String> parseAgentArguments(String args) {
        Map<String, String> result = new LinkedHashMap<>();
        if (args == null || args.isBlank()) {
            return result;
        }
        String lastKey = null;
        for (String token : args.split(",")) {
            int eq = token.indexOf('=');
            if (eq < 0) {
                if (lastKey == null) {
                    throw new ConfigException("agent argument '" + token + "' is not key=value; write e.g. "
                            + "-javaagent:reprise-agent.jar=dir=/data,sync=none");
                }
                result.put(lastKey, result.get(lastKey) + "," + token.trim());
                continue;
            }
            String key = token.substring(0, eq).trim();
            if (!key.startsWith(PREFIX)) {
                key = PREFIX + key;
            }
            requireKnown(key, "agent argument " + token.substring(0, eq).trim());
            result.put(key, token.substring(eq + 1).trim());
            lastKey = key;
        }
        return result;
    }

    private static void requireKnown(String key, String where) {
        if (!DEFAULTS.containsKey(key)) {
            throw new ConfigException("unknown key in " + where + "; Reprise knows " + String.join(", ", DEFAULTS.keySet()));
        }
    }

    private static String keyForEnvironmentVariable(String name) {
        for (String key : DEFAULTS.keySet()) {
            if (environmentName(key).equals(name)) {
                return key;
            }
        }
        return null;
    }

    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static List<String> environmentNames() {
        List<String> names = new ArrayList<>();
        for (String key : DEFAULTS.keySet()) {
            names.add(environmentName(key));
        }
        return names;
    }

    private void validate() {
        // Each accessor parses and throws a ConfigException naming its key; call them all once at start.
        enabled();
        dataDirectory();
        journaledMethods();
        excludedPaths();
        maxBody();
        retainAllJournal();
        minFree();
        journalTimeout();
        journalQueue();
        sync();
        syncInterval();
        snapshotInterval();
        snapshotEvery();
        snapshotKeep();
        skipFailedReplays();
        checkMode();
        compareBody();
        stopOnDivergence();
        truncateCorrupt();
        deterministic();
        sessions();
        idempotency();
        kubernetes();
    }

    // ---- typed accessors ------------------------------------------------------------------------

    public boolean enabled() {
        return choice("reprise.enabled", "true", "false");
    }

    /**
     * {@code reprise.mode=check}: replay the data directory through the application, compare every outcome, print a
     * report and exit (0: nothing diverged, 1: something did, 2: it could not be replayed), writing nothing and never
     * opening the port. {@code serve} (default): run the service.
     */
    public boolean checkMode() {
        return choice("reprise.mode", "check", "serve");
    }

    public Path dataDirectory() {
        return parse("reprise.dir", "a directory path", v -> {
            if (v.isBlank()) {
                throw new IllegalArgumentException();
            }
            return Path.of(v).toAbsolutePath().normalize();
        });
    }

    /** Upper-case HTTP methods whose requests are journaled. */
    public Set<String> journaledMethods() {
        return parse("reprise.journal.methods", "a comma-separated list of HTTP methods, e.g. POST,PUT,PATCH,DELETE", v -> {
            Set<String> methods = new LinkedHashSet<>();
            for (String m : v.split(",")) {
                String method = m.trim().toUpperCase(Locale.ROOT);
                if (method.isEmpty()) {
                    continue;
                }
                if (!method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
                    throw new IllegalArgumentException();
                }
                methods.add(method);
            }
            return Collections.unmodifiableSet(methods);
        });
    }

    /**
     * Paths whose requests are never journaled, matched on whole segments (see {@code writepath.ExcludedPaths}).
     * Each is a decoded path: no escapes, no {@code ;}, {@code ?}, {@code #}, backslash, blank or control
     * character, empty segment or {@code .}/{@code ..} segment, since a request path with any of these is never
     * excluded.
     */
    public List<String> excludedPaths() {
        return paths("reprise.journal.exclude", "/health,/metrics");
    }

    private List<String> paths(String key, String example) {
        return parse(key, "a comma-separated list of decoded paths starting with /, such as "
                + example + " (whole segments; no %, ;, ?, #, \\, blanks, // or . and .. segments)", v -> {
            List<String> prefixes = new ArrayList<>();
            for (String p : v.split(",")) {
                String prefix = p.trim();
                if (prefix.isEmpty()) {
                    continue;
                }
                if (!plainPath(prefix)) {
                    throw new IllegalArgumentException();
                }
                prefixes.add(prefix);
            }
            return List.copyOf(prefixes);
        });
    }

    private static boolean plainPath(String path) {
        if (!path.startsWith("/") || path.contains("//")) {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c == 0x7f || "%;?#\\".indexOf(c) >= 0) {
                return false;
            }
        }
        for (String segment : path.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    public SyncMode sync() {
        return parse("reprise.sync", "none, batch or always", v -> SyncMode.valueOf(v.trim().toUpperCase(Locale.ROOT)));
    }

    /**
     * The longest an asynchronous journaled request (one whose handler completes on another thread) may hold the order;
     * past it, it is journaled as not complete and answered 503.
     */
    public Duration journalTimeout() {
        return parse("reprise.journal.timeout", "a positive duration such as 5s, 30s or 2m", Config::parseDuration);
    }

    /** How many asynchronous journaled requests may wait for the order; past it they are answered 503. */
    public int journalQueue() {
        return parse("reprise.journal.queue", "a whole number of requests from 1 to 1048576", v -> {
            int n = Integer.parseInt(v.trim());
            if (n < 1 || n > 1 << 20) {
                throw new IllegalArgumentException();
            }
            return n;
        });
    }

    /** With {@code sync=batch}: the longest time between two fsyncs of the journal. */
    public Duration syncInterval() {
        return parse("reprise.sync.interval", "a positive duration such as 10ms, 100ms or 1s", Config::parseDuration);
    }

    /** Largest request body that is journaled; larger requests are answered 413 and not applied. */
    public int maxBody() {
        return parse("reprise.journal.max-body", "a size from 1KiB to 16MiB, e.g. 512KiB, 4MiB or 1048576 (bytes)", v -> {
            long bytes = parseSize(v);
            if (bytes < 1024 || bytes > MAX_BODY_LIMIT) {
                throw new IllegalArgumentException();
            }
            return (int) bytes;
        });
    }

    /** Usable space below which journaled requests are refused with 503 instead of filling the volume. */
    public long minFree() {
        return parse("reprise.journal.min-free", "a size of at least 1MiB, e.g. 64MiB or 1GiB", v -> {
            long bytes = parseSize(v);
            if (bytes < (1 << 20)) {
                throw new IllegalArgumentException();
            }
            return bytes;
        });
    }

    /**
     * The largest {@code reprise.journal.max-body}: what one journal entry ({@link Journal#MAX_ENTRY_BYTES}, 32 MiB)
     * holds, less {@link #HEADER_ALLOWANCE}.
     */
    public static final long MAX_BODY_LIMIT = 16L << 20;

    /**
     * What one journal entry holds beside a body of {@link #MAX_BODY_LIMIT}: the method, target and headers of the
     * request with the entry's own fields ({@link Journal#entryBytesBesideBody}), 16 MiB. A request within both limits
     * always fits one entry; adapters answer {@code 431} to a request whose target and headers take more.
     */
    public static final long HEADER_ALLOWANCE = Journal.MAX_ENTRY_BYTES - MAX_BODY_LIMIT;

    /** {@code all}: never delete journal files; {@code needed} (default): delete those no kept snapshot needs. */
    public boolean retainAllJournal() {
        return choice("reprise.journal.retain", "all", "needed");
    }

    /** {@code reprise.recovery.on-error=skip}: a replayed request whose handler throws is logged and skipped. */
    public boolean skipFailedReplays() {
        return choice("reprise.recovery.on-error", "skip", "stop");
    }

    /**
     * {@code reprise.deterministic=true} (default): the clock, {@code nanoTime}, UUIDs and random values a journaled
     * request takes are recorded with its outcome and handed back on replay (see docs/guarantees.md).
     */
    public boolean deterministic() {
        return choice("reprise.deterministic", "true", "false");
    }

    /**
     * {@code reprise.sessions=true} (default): container sessions changed outside journaled requests are journaled and
     * kept in snapshots, so that they come back at a start (docs/guarantees.md#sessions).
     */
    public boolean sessions() {
        return choice("reprise.sessions", "true", "false");
    }

    /** {@code reprise.recovery.compare=body}: replayed outcomes must match the recorded body digest too, not only the status. */
    /**
     * The {@code reprise.idempotency.*} keys: Idempotency-Key handling for journaled requests
     * (docs/guarantees.md#exactly-once-for-requests-with-an-idempotency-key).
     */
    public io.reprise.agent.idempotency.Idempotency idempotency() {
        boolean on = choice("reprise.idempotency", "true", "false");
        List<String> required = paths("reprise.idempotency.required", "/payments,/transfers");
        Duration ttl = parse("reprise.idempotency.ttl", "a positive duration such as 1h, 24h or 90m", Config::parseDuration);
        int maxKeys = parse("reprise.idempotency.max-keys", "a whole number of keys from 1 to 100000000",
                v -> (int) within(Long.parseLong(v.trim()), 1, 100_000_000));
        long maxMemory = parse("reprise.idempotency.max-memory", "a size of at least 1MiB, e.g. 64MiB or 1GiB",
                v -> within(parseSize(v), 1 << 20, Long.MAX_VALUE));
        int maxResponse = parse("reprise.idempotency.max-response", "a size from 0 to 16MiB, e.g. 64KiB or 1MiB",
                v -> (int) within(parseSize(v), 0, MAX_BODY_LIMIT));
        if (!on) {
            return io.reprise.agent.idempotency.Idempotency.disabled();
        }
        return new io.reprise.agent.idempotency.Idempotency(true, required, ttl, maxKeys, maxMemory, maxResponse);
    }

    private static long within(long n, long min, long max) {
        if (n < min || n > max) {
            throw new IllegalArgumentException();
        }
        return n;
    }

    public boolean compareBody() {
        return choice("reprise.recovery.compare", "body", "status");
    }

    /** {@code reprise.recovery.on-divergence=stop}: a replayed outcome that differs from the recorded one fails recovery. */
    public boolean stopOnDivergence() {
        return choice("reprise.recovery.on-divergence", "stop", "warn");
    }

    /** A key with two accepted words: true for {@code yes}, false for {@code no}; messages name the default first. */
    private boolean choice(String key, String yes, String no) {
        String accepted = DEFAULTS.get(key).equals(yes) ? yes + " or " + no : no + " or " + yes;
        return parse(key, accepted, v -> {
            if (v.trim().equalsIgnoreCase(yes)) {
                return true;
            }
            if (v.trim().equalsIgnoreCase(no)) {
                return false;
            }
            throw new IllegalArgumentException();
        });
    }

    /** Whether recovery may cut the journal at a corrupt entry (keeping a copy of what it cuts). */
    public boolean truncateCorrupt() {
        return choice("reprise.recovery.truncate-corrupt", "true", "false");
    }

    public Duration snapshotInterval() {
        return parse("reprise.snapshot.interval", "a positive duration such as 500ms, 60s, 5m or 1h", Config::parseDuration);
    }

    public long snapshotEvery() {
        return parse("reprise.snapshot.every", "a positive whole number of journal entries", v -> positive(Long.parseLong(v.trim())));
    }

    public int snapshotKeep() {
        return parse("reprise.snapshot.keep", "a whole number of snapshots, at least 1", v -> (int) positive(Integer.parseInt(v.trim())));
    }

    /** The {@code reprise.k8s.*} keys (docs/kubernetes.md). */
    public KubernetesSettings kubernetes() {
        KubernetesSettings.Mode mode = parse("reprise.k8s.enabled", "auto, true or false",
                v -> KubernetesSettings.Mode.valueOf(v.trim().toUpperCase(Locale.ROOT)));
        String lease = parse("reprise.k8s.lease", "a Lease name (lower case letters, digits, '-' and '.'), or empty to "
                + "derive it from the data volume's claim", v -> {
                    if (!v.isBlank() && !v.trim().matches("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?")) {
                        throw new IllegalArgumentException();
                    }
                    return v.trim();
                });
        Duration duration = parse("reprise.k8s.lease.duration", "a whole number of seconds such as 15s", v -> {
            Duration d = parseDuration(v);
            if (d.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException();
            }
            return d;
        });
        Duration renewDeadline = parse("reprise.k8s.lease.renew-deadline", "a positive duration such as 10s", Config::parseDuration);
        Duration retryPeriod = parse("reprise.k8s.lease.retry-period", "a positive duration such as 2s", Config::parseDuration);
        LeaseTimings timings;
        try {
            timings = new LeaseTimings(duration, renewDeadline, retryPeriod);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("reprise.k8s.lease.duration=" + values.get("reprise.k8s.lease.duration")
                    + ", reprise.k8s.lease.renew-deadline=" + values.get("reprise.k8s.lease.renew-deadline")
                    + ", reprise.k8s.lease.retry-period=" + values.get("reprise.k8s.lease.retry-period")
                    + " do not fit together: " + e.getMessage() + "; expected retry-period < renew-deadline < duration");
        }
        boolean allowNetworkFs = parse("reprise.k8s.allow-network-fs", "true or false", Config::parseBoolean);
        Duration annotations = parse("reprise.k8s.annotations.interval", "a positive duration such as 10s", Config::parseDuration);
        String pod = parse("reprise.k8s.pod", "a pod name, or empty for the host name", String::trim);
        String apiServer = parse("reprise.k8s.api-server", "an http:// or https:// URL, or empty", v -> {
            if (!v.isBlank() && !v.trim().matches("https?://.+")) {
                throw new IllegalArgumentException();
            }
            return v.trim();
        });
        Path serviceAccount = parse("reprise.k8s.service-account-dir", "a directory path", v -> {
            if (v.isBlank()) {
                throw new IllegalArgumentException();
            }
            return Path.of(v.trim());
        });
        return new KubernetesSettings(mode, lease, timings, allowNetworkFs, annotations, pod, apiServer, serviceAccount);
    }

    private static boolean parseBoolean(String v) {
        if (v.trim().equalsIgnoreCase("true")) {
            return true;
        }
        if (v.trim().equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException();
    }

    /** The raw value of a key, as given or defaulted. */
    public String raw(String key) {
        return values.get(key);
    }

    private static long positive(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException();
        }
        return n;
    }

    /** Sizes: a number of bytes, or a number with KiB, MiB or GiB. */
    static long parseSize(String text) {
        String v = text.trim();
        long factor = 1;
        String[][] units = {{"KiB", "1024"}, {"MiB", "1048576"}, {"GiB", "1073741824"}};
        for (String[] unit : units) {
            if (v.endsWith(unit[0])) {
                factor = Long.parseLong(unit[1]);
                v = v.substring(0, v.length() - unit[0].length()).trim();
                break;
            }
        }
        return Math.multiplyExact(Long.parseLong(v), factor);
    }

    static Duration parseDuration(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        long factorMillis;
        String number;
        if (v.endsWith("ms")) {
            factorMillis = 1;
            number = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            factorMillis = 1_000;
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            factorMillis = 60_000;
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("h")) {
            factorMillis = 3_600_000;
            number = v.substring(0, v.length() - 1);
        } else {
            throw new IllegalArgumentException();
        }
        long n = Long.parseLong(number.trim());
        if (n <= 0) {
            throw new IllegalArgumentException();
        }
        return Duration.ofMillis(Math.multiplyExact(n, factorMillis));
    }

    private <T> T parse(String key, String accepted, Function<String, T> parser) {
        String value = values.get(key);
        try {
            return parser.apply(value);
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConfigException(key + "=" + value + " is not valid; expected " + accepted);
        }
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
