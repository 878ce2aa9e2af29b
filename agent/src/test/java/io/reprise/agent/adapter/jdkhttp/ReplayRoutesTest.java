package io.reprise.agent.adapter.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Replay routes each target as the JDK's dispatcher would, and works a route out again when what it used changed. */
class ReplayRoutesTest {

    private static final HttpHandler NOTHING = exchange -> { };

    private HttpServer server; // never bound: its contexts are all that is used
    private final Contexts first = new Contexts();
    private final Contexts second = new Contexts();
    private final ReplayRoutes routes = new ReplayRoutes(List.of(first, second));

    @BeforeEach
    void createServer() throws Exception {
        server = HttpServer.create();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private HttpContext context(Contexts on, String path) {
        HttpContext c = server.createContext(path, NOTHING);
        on.add(c);
        return c;
    }

    @Test
    void theLongestMatchingPathOfAnyServerWinsAndARepeatedTargetReusesItsRoute() {
        context(first, "/");
        HttpContext items = context(second, "/items");
        context(first, "/item");

        ReplayRoutes.Route route = routes.of("/items/7?x=1");

        assertThat(route.context()).isSameAs(items);
        assertThat(route.uri().getQuery()).isEqualTo("x=1");
        assertThat(routes.of("/items/7?x=1")).isSameAs(route);
        routes.of("/other");
        assertThat(routes.of("/items/7?x=1")).as("kept beside another target").isSameAs(route);
    }

    @Test
    void thePathIsMatchedDecodedAsTheJdkMatchesIt() {
        HttpContext spaced = context(first, "/a b");
        context(first, "/");

        assertThat(routes.of("/a%20b/c").context()).isSameAs(spaced);
    }

    @Test
    void aContextAddedOrRemovedAfterALookupIsSeen() {
        HttpContext root = context(first, "/");
        assertThat(routes.of("/items/1").context()).isSameAs(root);

        HttpContext items = context(second, "/items");
        assertThat(routes.of("/items/1").context()).isSameAs(items);

        second.remove(items);
        assertThat(routes.of("/items/1").context()).isSameAs(root);
    }

    @Test
    void aFilterAddedToTheContextAfterALookupIsInTheNextRoute() {
        HttpContext root = context(first, "/");
        assertThat(routes.of("/x").filters()).isEmpty();

        Filter added = new Filter() {
            @Override public void doFilter(HttpExchange exchange, Chain chain) { }
            @Override public String description() { return "added"; }
        };
        root.getFilters().add(added);

        assertThat(routes.of("/x").filters()).containsExactly(added);
        root.getFilters().clear();
        assertThat(routes.of("/x").filters()).isEmpty();
    }

    @Test
    void aTargetNoContextMatchesIsRefusedWithItsPath() {
        context(first, "/items");

        assertThatThrownBy(() -> routes.of("/orders/1"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no HttpContext of this application matches path /orders/1");
    }
}
