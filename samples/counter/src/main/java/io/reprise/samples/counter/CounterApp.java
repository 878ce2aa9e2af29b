package io.reprise.samples.counter;

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
 * The counter service: {@code POST /counter/increment} adds one and answers the new value,
 * {@code PUT /counter} sets the value to the decimal number in the body, {@code GET /counter} answers the
 * value. Run with {@code --port PORT} (default 8080) and {@code --host ADDRESS} (default all interfaces).
 */
public final class CounterApp {

    private CounterApp() {
    }

    public static void main(String[] args) throws IOException {
        String host = "0.0.0.0";
        int port = 8080;
        int threads = 16;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
                case "--host" -> host = value(args, ++i, "--host");
                case "--threads" -> threads = Integer.parseInt(value(args, ++i, "--threads"));
                default -> {
                    System.err.println("usage: counter-sample [--host ADDRESS] [--port PORT] [--threads N]");
                    System.exit(64);
                }
            }
        }

        // The JDK server writes status line and body in separate segments; without TCP_NODELAY, Nagle's
        // algorithm and delayed ACKs hold every keep-alive response back ~40 ms. Must be set before the first
        // server is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }

        Counter counter = new Counter();
        boolean durable = SnapshotProviders.register(new CounterSnapshots(counter));

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
            } finally {
                exchange.close();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            executor.shutdown();
        }, "counter-shutdown"));
        server.start();
        System.out.println("counter listening on " + host + ":" + port
                + (durable ? " (state kept by Reprise)" : " (no Reprise agent: state is lost on exit)"));
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            System.err.println(flag + " needs a value");
            System.exit(64);
        }
        return args[i];
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
