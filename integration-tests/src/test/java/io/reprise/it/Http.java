package io.reprise.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small loopback HTTP client for the counter's API. Every call has a timeout. */
final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private Http() {
    }

    static HttpResponse<String> send(int port, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** As {@link #send(int, String, String, String)}, with one request header. */
    static HttpResponse<String> send(int port, String method, String path, String body, String header, String value)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header(header, value)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Sends {@code body} with {@code contentType}; {@code chunked} sends it without a length, in chunks. */
    static HttpResponse<String> send(int port, String method, String path, String contentType, byte[] body, boolean chunked)
            throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher = chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .method(method, publisher)
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString(java.nio.charset.StandardCharsets.UTF_8));
    }

    static HttpResponse<String> json(int port, String method, String path, String json) throws IOException, InterruptedException {
        return send(port, method, path, "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
    }

    /** The fixture app's items: {@code POST /items} with the id as the body. */
    static HttpResponse<String> createItem(int port, String id) throws IOException, InterruptedException {
        return send(port, "POST", "/items", id);
    }

    /** The fixture app's item ids, comma-separated ({@code GET /items}, which must answer 200). */
    static String items(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = send(port, "GET", "/items", null);
        if (r.statusCode() != 200) {
            throw new IOException("GET /items answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static long increment(int port) throws IOException, InterruptedException {
        return ok(send(port, "POST", "/counter/increment", null));
    }

    static long set(int port, long value) throws IOException, InterruptedException {
        return ok(send(port, "PUT", "/counter", Long.toString(value)));
    }

    static long get(int port) throws IOException, InterruptedException {
        return ok(send(port, "GET", "/counter", null));
    }

    private static long ok(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri() + " answered "
                    + response.statusCode() + ": " + response.body());
        }
        return Long.parseLong(response.body().trim());
    }
}
