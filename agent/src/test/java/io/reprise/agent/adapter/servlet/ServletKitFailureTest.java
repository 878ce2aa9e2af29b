package io.reprise.agent.adapter.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.agent.writepath.WritePath;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reprise's own failures in the servlet adapter never fail requests that are not journaled (C3). */
class ServletKitFailureTest {

    private final WritePath writePath = new WritePath(Set.of("POST"), List.of("/health"), 1000, 1 << 20);

    /** An agent loader without the glue's class files: linking the glue fails. Counts the attempts. */
    static final class LoaderWithoutGlue extends ClassLoader {
        final AtomicInteger glueLookups = new AtomicInteger();

        LoaderWithoutGlue() {
            super(null);
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            if (name.endsWith("/ServletGlue.class")) {
                glueLookups.incrementAndGet();
            }
            return null;
        }
    }

    @Test
    void whenTheGlueCannotBeLinkedReadsRunUntouchedAndJournaledRequestsAre503() throws Exception {
        LoaderWithoutGlue loader = new LoaderWithoutGlue();
        ServletKit adapter = new ServletKit(null, writePath, loader);

        for (int i = 0; i < 3; i++) {
            assertThat(service(adapter, request("GET", "/orders", null), new FakeResponse())).as("a GET runs untouched").isFalse();
        }
        assertThat(service(adapter, request("POST", "/health/live", null), new FakeResponse()))
                .as("an excluded path runs untouched").isFalse();
        FakeResponse refused = new FakeResponse();
        assertThat(service(adapter, request("POST", "/orders", null), refused)).as("Reprise answered it").isTrue();
        assertThat(refused.status).isEqualTo(503);
        assertThat(refused.headers).containsEntry("Retry-After", "1");
        assertThat(refused.body()).startsWith("reprise: request not applied: Reprise's servlet adapter could not be linked");
        Object other = request("GET", "/orders", null, Runnable.class);
        assertThat(other.getClass()).isNotEqualTo(request("GET", "/orders", null).getClass());
        assertThat(service(adapter, other, new FakeResponse())).isFalse();

        assertThat(loader.glueLookups).as("linking was tried once for this servlet API, not per request").hasValue(1);
    }

    @Test
    void whenDecidingFailsAReadRunsUntouchedAndAJournaledMethodIs503() throws Exception {
        ServletKit adapter = new ServletKit(null, writePath, ServletKit.class.getClassLoader());
        assertThat(service(adapter, request("GET", "/orders", null), new FakeResponse())).isFalse();

        RuntimeException broken = new IllegalStateException("no servlet path today");
        assertThat(service(adapter, request("GET", "/orders", broken), new FakeResponse())).as("a GET runs untouched").isFalse();
        FakeResponse refused = new FakeResponse();
        assertThat(service(adapter, request("POST", "/orders", broken), refused)).isTrue();
        assertThat(refused.status).isEqualTo(503);
        assertThat(refused.body()).contains("Reprise failed to decide whether to journal the request")
                .contains("no servlet path today");
    }

    private static boolean service(ServletKit adapter, Object request, FakeResponse response) throws Exception {
        return adapter.service(request, response.proxy(), (req, res) -> {
            throw new AssertionError("the container's entry must not run again here");
        }, Set.of("POST"));
    }

    /** A request as the container hands it over; {@code getServletPath} throws {@code failure} if it is not null. */
    private static Object request(String method, String path, RuntimeException failure, Class<?>... more) {
        ServletContext context = (ServletContext) Proxy.newProxyInstance(ServletKitFailureTest.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (p, m, a) -> m.getName().equals("getContextPath") ? "" : null);
        Class<?>[] types = new Class<?>[more.length + 1];
        types[0] = HttpServletRequest.class;
        System.arraycopy(more, 0, types, 1, more.length);
        return Proxy.newProxyInstance(ServletKitFailureTest.class.getClassLoader(), types, (p, m, a) -> {
            switch (m.getName()) {
                case "getMethod": return method;
                case "getDispatcherType": return DispatcherType.REQUEST;
                case "getRequestURI": return path;
                case "getServletPath":
                    if (failure != null) {
                        throw failure;
                    }
                    return path;
                case "getServletContext": return context;
                case "hashCode": return System.identityHashCode(p);
                case "equals": return p == a[0];
                default: return null;
            }
        });
    }

    /** Records what Reprise answers. */
    static final class FakeResponse {
        int status = 200;
        final Map<String, String> headers = new HashMap<>();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        String body() {
            return out.toString(StandardCharsets.UTF_8);
        }

        HttpServletResponse proxy() {
            ServletOutputStream stream = new ServletOutputStream() {
                @Override public void write(int b) { out.write(b); }
                @Override public boolean isReady() { return true; }
                @Override public void setWriteListener(WriteListener listener) { }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (p, m, a) -> {
                        switch (m.getName()) {
                            case "setStatus": status = (Integer) a[0]; return null;
                            case "setHeader": headers.put((String) a[0], (String) a[1]); return null;
                            case "getOutputStream": return stream;
                            case "hashCode": return System.identityHashCode(p);
                            default: return null;
                        }
                    });
        }
    }
}
