package io.reprise.agent.writepath;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExcludedPathsTest {

    private final ExcludedPaths health = new ExcludedPaths(List.of("/health", "/admin/metrics/"));

    @Test
    void aPrefixExcludesWholeSegmentsOnly() {
        assertThat(health.excludes("/health", null)).isTrue();
        assertThat(health.excludes("/health/", null)).isTrue();
        assertThat(health.excludes("/health/live", null)).isTrue();
        assertThat(health.excludes("/admin/metrics", null)).as("a trailing / of the prefix is ignored").isTrue();
        assertThat(health.excludes("/admin/metrics/jvm", null)).isTrue();

        assertThat(health.excludes("/healthcare", null)).isFalse();
        assertThat(health.excludes("/health-check", null)).isFalse();
        assertThat(health.excludes("/admin/metricsx", null)).isFalse();
        assertThat(health.excludes("/api/health", null)).isFalse();
        assertThat(health.excludes("/", null)).isFalse();
    }

    @Test
    void thePathIsComparedDecoded() {
        assertThat(health.excludes("/h%65alth", null)).isTrue();
        assertThat(health.excludes("/health/%E6%9D%B1", null)).isTrue();
        assertThat(new ExcludedPaths(List.of("/caf\u00e9")).excludes("/caf%C3%A9/x", null)).isTrue();
        assertThat(health.excludes("/health%63are", null)).as("/healthcare, decoded").isFalse();
    }

    @Test
    void anAmbiguousPathIsNeverExcluded() {
        for (String raw : List.of(
                "/a/%2e%2e/health", "/a/%2E%2E/health", "/a/../health", "/./health", "/health/.", "/health/..",
                "/health%2Fx", "/health%2fx", "/health%5Cx", "/health\\x", "/health;jsessionid=1", "/health/x;p",
                "/health%3Bx", "//health", "/health//x", "/health/%zz", "/health/%4", "/health/%", "/health/%C3",
                "/health/%FF", "/health/%00", "/health/%0A", "/health/%3Fx", "/health/%23x", "health", "")) {
            assertThat(health.excludes(raw, null)).as(raw).isFalse();
        }
    }

    @Test
    void aPathTheServerRoutesDifferentlyIsNeverExcluded() {
        assertThat(health.excludes("/health", "/health")).isTrue();
        assertThat(health.excludes("/h%65alth/x", "/health/x")).isTrue();
        assertThat(health.excludes("/health", "/other")).isFalse();
        assertThat(health.excludes("/x/health", "/health")).as("a server that rewrote the path").isFalse();
    }

    @Test
    void slashAloneExcludesEveryUnambiguousPath() {
        ExcludedPaths all = new ExcludedPaths(List.of("/"));
        assertThat(all.excludes("/", null)).isTrue();
        assertThat(all.excludes("/anything/at/all", null)).isTrue();
        assertThat(all.excludes("/a/../b", null)).isFalse();
    }

    @Test
    void nothingIsExcludedWithoutPrefixes() {
        assertThat(new ExcludedPaths(List.of()).excludes("/health", "/health")).isFalse();
    }
}
