package io.reprise.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioTest {

    @Test
    void parsesIdsAndSyncModesInTheOrderOfAll() {
        assertThat(Scenario.parse("previous-none,none,baseline")).containsExactly("baseline", "agent-none", "previous-none");
        assertThat(Scenario.parse("agent-always, redis-always")).containsExactly("agent-always", "redis-always");
    }

    @Test
    void refusesUnknownScenariosNamingTheKnownOnes() {
        assertThatThrownBy(() -> Scenario.parse("baseline,fast")).hasMessageContaining("fast").hasMessageContaining("agent-none");
        assertThatThrownBy(() -> Scenario.parse(",")).hasMessageContaining("no scenario");
    }

    @Test
    void thePreviousReleaseRunsOnlyWithItsJar() {
        List<String> ids = new LoadBench.Selection(null, null, null).chosen().stream().map(Scenario::id).toList();
        assertThat(ids).doesNotContain(Scenario.PREVIOUS_NONE).contains("baseline", "agent-none", "postgres");
        ids = new LoadBench.Selection(null, Path.of("prev.jar"), null).chosen().stream().map(Scenario::id).toList();
        assertThat(ids).hasSize(Scenario.ALL.size()).containsSequence("baseline", "agent-none", Scenario.PREVIOUS_NONE);
        assertThatThrownBy(() -> new LoadBench.Selection(List.of(Scenario.PREVIOUS_NONE), null, null).check())
                .hasMessageContaining("--previous-agent");
    }

    @Test
    void currentAndPreviousSwapPlacesEverySecondRepetitionBaselineFirst() {
        List<Scenario> chosen = new LoadBench.Selection(Scenario.parse("baseline,none,previous-none,always"), Path.of("p.jar"), null).chosen();
        assertThat(LoadBench.order(chosen, 1).stream().map(Scenario::id))
                .containsExactly("baseline", "agent-none", "previous-none", "agent-always");
        assertThat(LoadBench.order(chosen, 2).stream().map(Scenario::id))
                .containsExactly("baseline", "previous-none", "agent-none", "agent-always");
        assertThat(LoadBench.order(chosen, 3)).isEqualTo(LoadBench.order(chosen, 1));
    }
}
