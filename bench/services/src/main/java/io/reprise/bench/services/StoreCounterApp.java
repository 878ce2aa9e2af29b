package io.reprise.bench.services;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The counter service of {@code samples/counter} with its counter kept in Redis or PostgreSQL instead of on the
 * heap: what a user would write instead of adding the Reprise agent. Everything but the store is the sample's:
 * the JDK HTTP server with TCP_NODELAY, a pool of 16 worker threads, a backlog of 128, one lambda handler,
 * {@code POST /counter/increment}, {@code PUT /counter}, {@code GET /counter}, plain-text answers.
 *
 * <pre>
 * java -cp bench-services.jar io.reprise.bench.services.StoreCounterApp --store redis --redis-port 6379 --port 8080
 * java -cp bench-services.jar io.reprise.bench.services.StoreCounterApp --store postgres \
 *      --jdbc jdbc:postgresql://127.0.0.1:5432/postgres --db-user bench --port 8080
 * </pre>
 */
public final class StoreCounterApp {

    private StoreCounterApp() {
    }

    public static void main(String[] args) throws Exception {
        String host = "0.0.0.0";
        int port = 8080;
        int threads = 16;
        String store = null;
        int redisPort = 6379;
        String jdbc = null;
        String dbUser = System.getProperty("user.name");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value(args, ++i));
                case "--host" -> host = value(args, ++i);
                case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                case "--store" -> store = value(args, ++i);
                case "--redis-port" -> redisPort = Integer.parseInt(value(args, ++i));
                case "--jdbc" -> jdbc = value(args, ++i);
                case "--db-user" -> dbUser = value(args, ++i);
                default -> usage();
            }
        }
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true"); // as samples/counter: no Nagle delays
        }
        CounterStore counter = switch (store == null ? "" : store) {
            case "redis" -> new RedisCounterStore("127.0.0.1", redisPort, threads);
            case "postgres" -> new PostgresCounterStore(jdbc, dbUser, threads);
            default -> {
                usage();
                yield null;
            }
        };

        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 128);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        server.setExecutor(executor);
        server.createContext("/counter", exchange -> {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            try {
                if (method.equals("POST") && path.equals("/counter/increment")) {
                    reply(exchange, 200, Long.toString(counter.increment()));
                } else if (method.equals("PUT") && path.equals("/counter")) {
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).trim();
                    long value;
                    try {
                        value = Long.parseLong(body);
                    } catch (NumberFormatException e) {
                        reply(exchange, 400, "body must be a decimal number");
                        return;
                    }
                    reply(exchange, 200, Long.toString(counter.set(value)));
                } else if (method.equals("GET") && path.equals("/counter")) {
                    reply(exchange, 200, Long.toString(counter.get()));
                } else {
                    reply(exchange, 404, "not found");
                }
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                // The store failed: say so, and let the load generator count it as an error.
                reply(exchange, 503, "store failed: " + e);
            } finally {
                exchange.close();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            executor.shutdown();
            counter.close();
        }, "counter-shutdown"));
        server.start();
        System.out.println("counter listening on " + host + ":" + port + " (state kept in " + store + ")");
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage();
        }
        return args[i];
    }

    private static void usage() {
        System.err.println("usage: StoreCounterApp --store redis|postgres [--redis-port PORT] [--jdbc URL] [--db-user USER]"
                + " [--host ADDRESS] [--port PORT] [--threads N]");
        System.exit(64);
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
