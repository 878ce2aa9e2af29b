package io.reprise.agent.adapter.jdkhttp;

import com.sun.net.httpserver.HttpContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** The contexts of one server, to route replayed requests the way the JDK routes live ones. */
final class Contexts {

    /** Additions and removals of contexts on every server, so that {@link ReplayRoutes} knows when to look again. */
    private static final AtomicLong CHANGES = new AtomicLong();

    private final List<HttpContext> contexts = new CopyOnWriteArrayList<>();

    static long changes() {
        return CHANGES.get();
    }

    void add(HttpContext context) {
        contexts.add(context);
        CHANGES.incrementAndGet();
    }

    void remove(String path) {
        contexts.removeIf(c -> c.getPath().equals(path));
        CHANGES.incrementAndGet();
    }

    void remove(HttpContext context) {
        contexts.remove(context);
        CHANGES.incrementAndGet();
    }

    /** The context with the longest path that prefixes {@code path}, as the JDK's dispatcher chooses. */
    HttpContext find(String path) {
        HttpContext best = null;
        for (HttpContext c : contexts) {
            if (path.startsWith(c.getPath()) && (best == null || c.getPath().length() > best.getPath().length())) {
                best = c;
            }
        }
        return best;
    }
}
