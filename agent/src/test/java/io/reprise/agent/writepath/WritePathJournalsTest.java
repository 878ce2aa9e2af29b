package io.reprise.agent.writepath;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WritePathJournalsTest {

    private final WritePath writePath = new WritePath(Set.of("POST"), List.of("/health"), 1000, 1024);

    @Test
    void anExcludedPathIsNotJournaledButASiblingWithTheSamePrefixIs() {
        assertThat(writePath.journals("POST", "/health", "/health")).isFalse();
        assertThat(writePath.journals("POST", "/health/deep", "/health/deep")).isFalse();
        assertThat(writePath.journals("POST", "/healthcare", "/healthcare")).isTrue();
        assertThat(writePath.journals("POST", "/health/../orders", "/orders")).isTrue();
        assertThat(writePath.journals("GET", "/orders", "/orders")).isFalse();
    }
}
