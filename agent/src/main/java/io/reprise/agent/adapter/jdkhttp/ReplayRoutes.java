package io.reprise.agent.adapter.jdkhttp;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where recovery sends each journaled target: its parsed URI, the context the JDK's dispatcher would choose and that
 * context's filters without Reprise's own. A journal repeats a few targets many times, so each is worked out once per
 * recovery instead of once per entry (parsing the URI was a quarter of a replayed entry's cost).
 *
 * <p>A route stays valid while no context of any server was added or removed ({@link Contexts#changes}) and its
 * context's filter list still holds the same filters; otherwise it is worked out again. At most {@link #MAX_ROUTES}
 * targets are kept: a journal whose targets are all different (ids in the path) starts over when it is full,
 * rather than growing. Used by the one thread that recovers.
 */
final class ReplayRoutes {

    static final int MAX_ROUTES = 4096;

    /** A target's way to its handler. {@code filters} is the context's chain without {@link JournalFilter}s. */
    record Route(URI uri, HttpContext context, List<Filter> filters) {

        /** Whether the context's filters are still these (a handler may change them, however unlikely). */
        boolean current() {
            List<Filter> now = context.getFilters();
            int i = 0;
            for (Filter f : now) {
                if (f instanceof JournalFilter) {
                    continue;
                }
                if (i >= filters.size() || filters.get(i) != f) {
                    return false;
                }
                i++;
            }
            return i == filters.size();
        }
    }

    private final Iterable<Contexts> servers;
    private final Map<String, Route> routes = new HashMap<>();
    private long changes = -1;
    private String lastTarget; // most journals repeat their last target: no lookup then
    private Route lastRoute;

    /** @param servers the contexts of each of the application's servers, as they are at each call */
    ReplayRoutes(Iterable<Contexts> servers) {
        this.servers = servers;
    }

    /**
     * The route of {@code target}.
     *
     * @throws IllegalArgumentException if the target does not parse as a URI (the JDK server would not have accepted it)
     * @throws IllegalStateException    if no context of the application's servers matches its path
     */
    Route of(String target) {
        long now = Contexts.changes();
        if (now != changes) {
            routes.clear();
            lastTarget = null;
            changes = now;
        }
        Route route = target.equals(lastTarget) ? lastRoute : routes.get(target);
        if (route == null || !route.current()) {
            route = resolve(target);
            if (routes.size() >= MAX_ROUTES) {
                routes.clear();
            }
            routes.put(target, route);
        }
        lastTarget = target;
        lastRoute = route;
        return route;
    }

    private Route resolve(String target) {
        URI uri = URI.create(target);
        String path = uri.getPath() == null ? target : uri.getPath();
        HttpContext best = null;
        for (Contexts server : servers) {
            HttpContext context = server.find(path);
            if (context != null && (best == null || context.getPath().length() > best.getPath().length())) {
                best = context;
            }
        }
        if (best == null) {
            throw new IllegalStateException("no HttpContext of this application matches path " + path
                    + "; was a context removed or renamed since the request was journaled?");
        }
        List<Filter> filters = new ArrayList<>(best.getFilters());
        filters.removeIf(f -> f instanceof JournalFilter);
        return new Route(uri, best, List.copyOf(filters));
    }
}
