package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser as far as Spring Security's form login needs one: a session cookie it keeps across service restarts (and
 * ports), the CSRF token of the login page, no redirects followed.
 */
final class SessionClient {

    private static final Pattern LOGIN_CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
    private static final Pattern SESSION_COOKIE = Pattern.compile("JSESSIONID=([^;]+)");

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private String session;
    private String csrf;

    /** GET /login (the session and its CSRF token are made here, by a request that is not journaled), POST /login. */
    void logIn(int port, String user, String password) throws Exception {
        HttpResponse<String> page = send(port, "GET", "/login", null);
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        Matcher token = LOGIN_CSRF.matcher(page.body());
        assertThat(token.find()).as("the login page carries a CSRF token: %s", page.body()).isTrue();
        HttpResponse<String> login = send(port, "POST", "/login",
                form("username", user, "password", password, "_csrf", token.group(1)));
        assertThat(login.statusCode()).as("login answers with a redirect: %s", login.headers()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElse("")).doesNotContain("error");
        HttpResponse<String> csrfNow = send(port, "GET", "/csrf", null);
        assertThat(csrfNow.statusCode()).as(csrfNow.body()).isEqualTo(200);
        csrf = csrfNow.body();
    }

    String session() {
        return session;
    }

    /** POST /notes with the session and its CSRF token, as the page's form would send it. */
    HttpResponse<String> write(int port, String text) throws Exception {
        return send(port, "POST", "/notes", form("text", text, "_csrf", csrf));
    }

    HttpResponse<String> send(int port, String method, String path, String form) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, form == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(form));
        if (form != null) {
            request.header("Content-Type", "application/x-www-form-urlencoded");
        }
        if (session != null) {
            request.header("Cookie", "JSESSIONID=" + session);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        for (String cookie : response.headers().allValues("Set-Cookie")) {
            Matcher m = SESSION_COOKIE.matcher(cookie);
            if (m.find()) {
                session = m.group(1);
            }
        }
        return response;
    }

    /** The location a response redirects to, if it does. */
    static Optional<String> redirect(HttpResponse<?> response) {
        return response.statusCode() / 100 == 3 ? response.headers().firstValue("Location") : Optional.empty();
    }

    private static String form(String... pairs) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (s.length() > 0) {
                s.append('&');
            }
            s.append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return s.toString();
    }
}
