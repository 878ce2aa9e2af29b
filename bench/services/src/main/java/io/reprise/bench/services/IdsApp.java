package io.reprise.bench.services;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * A counter whose increment, like many real handlers, makes ids and reads the clock: {@code POST /counter/increment}
 * calls {@code UUID.randomUUID()} and {@code Instant.now()} ten times each, keeps the last of each and answers the new
 * count with them; {@code GET /counter} answers the count. The same paths as {@code samples/counter}, so that
 * {@code bench/wrk/bench.lua} drives both, and the same server set-up (JDK HTTP server, TCP_NODELAY, 16 threads).
 * {@code bench/determinism.sh} measures it with {@code reprise.deterministic} on and off.
 */
public final class IdsApp {

    private static final Object LOCK = new Object();
    private static long count;
    private static UUID lastId;
    private static Instant lastTime;

    private IdsApp() {
    }

    public static void main(String[] args) throws IOException {
        int port = 8080;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[++i]);
            }
        }
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/counter", IdsApp::handle);
        server.start();
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String answer;
        synchronized (LOCK) {
            if (exchange.getRequestMethod().equals("POST")) {
                for (int i = 0; i < 10; i++) {
                    lastId = UUID.randomUUID();
                    lastTime = Instant.now();
                }
                count++;
            }
            answer = count + " " + lastId + " " + lastTime + "\n";
        }
        byte[] body = answer.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
