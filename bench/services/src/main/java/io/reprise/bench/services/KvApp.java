package io.reprise.bench.services;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.reprise.snapshot.SnapshotProviders;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A key/value service whose heap state is big enough to show how long a snapshot keeps writers paused: with
 * {@code --preload N} it starts with N keys (the state a long-running service would have built up; filling it
 * through HTTP would take minutes and measure nothing of interest here), and its {@link KvSnapshots} provider
 * writes every entry at every snapshot. {@code --state concurrent} (default) keeps it in a {@code ConcurrentHashMap}
 * saved while writers wait; {@code --state persistent} in Vavr's persistent {@code HashMap}, whose snapshot captures
 * the current version (one reference) and writes it while writers go on.
 *
 * <p>{@code PUT /kv/KEY} with the value as the body stores it and answers the number of keys; {@code GET /kv/KEY}
 * answers the value (404 if absent); {@code GET /kv} answers the number of keys. Same server set-up as
 * {@code samples/counter}: JDK HTTP server, TCP_NODELAY, 16 worker threads.
 */
public final class KvApp {

    private KvApp() {
    }

    public static void main(String[] args) throws IOException {
        String host = "0.0.0.0";
        int port = 8080;
        int threads = 16;
        int preload = 0;
        boolean persistent = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--host" -> host = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--preload" -> preload = Integer.parseInt(args[++i]);
                case "--state" -> persistent = switch (args[++i]) {
                    case "persistent" -> true;
                    case "concurrent" -> false;
                    default -> throw new IllegalArgumentException("--state is concurrent or persistent, not " + args[i]);
                };
                default -> {
                    System.err.println("usage: KvApp [--host ADDRESS] [--port PORT] [--threads N] [--preload KEYS]"
                            + " [--state concurrent|persistent]");
                    System.exit(64);
                }
            }
        }
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }

        KvState map = persistent ? new KvState.Persistent() : new KvState.Concurrent(preload);
        long started = System.nanoTime();
        for (int i = 0; i < preload; i++) {
            map.put(key(i), value(i));
        }
        if (preload > 0) {
            System.out.printf("preloaded %d keys in %.0f ms%n", preload, (System.nanoTime() - started) / 1e6);
        }
        boolean durable = SnapshotProviders.register(new KvSnapshots(map));

        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 128);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        server.setExecutor(executor);
        server.createContext("/kv", exchange -> {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            try {
                String key = path.startsWith("/kv/") ? path.substring("/kv/".length()) : "";
                if (method.equals("PUT") && !key.isEmpty()) {
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    map.put(key, body);
                    reply(exchange, 200, Integer.toString(map.size()));
                } else if (method.equals("GET") && !key.isEmpty()) {
                    String value = map.get(key);
                    reply(exchange, value == null ? 404 : 200, value == null ? "no such key" : value);
                } else if (method.equals("GET") && (path.equals("/kv") || path.equals("/kv/"))) {
                    reply(exchange, 200, Integer.toString(map.size()));
                } else {
                    reply(exchange, 404, "not found");
                }
            } finally {
                exchange.close();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            executor.shutdown();
        }, "kv-shutdown"));
        server.start();
        System.out.println("kv listening on " + host + ":" + port + " with " + map.size() + " keys in a "
                + (persistent ? "persistent map, snapshots two-phase" : "concurrent map, snapshots under the order")
                + (durable ? " (state kept by Reprise)" : " (no Reprise agent)"));
    }

    /** The preloaded keys: {@code k0000000} and on; the harness's write load overwrites the same keys. */
    static String key(int i) {
        return "k" + pad(i, 7);
    }

    /** A 16-character value. */
    static String value(int i) {
        return "v" + pad(i, 15);
    }

    private static String pad(int i, int width) {
        String digits = Integer.toString(i);
        return "0".repeat(Math.max(0, width - digits.length())) + digits;
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
