package io.reprise.agent.adapter.jdkhttp;

import com.sun.net.httpserver.HttpContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The contexts of one server, to route replayed requests the way the JDK routes live ones. */
final class Contexts {

    private final List<HttpContext> contexts = new CopyOnWriteArrayList<>();

    void add(HttpContext context) {
        contexts.add(context);
    }

    void remove(String path) {
        contexts.removeIf(c -> c.getPath().equals(path));
    }

    void remove(HttpContext context) {
        contexts.remove(context);
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
