package io.reprise.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValueAndOfAnEvenCountTheMeanOfTheTwoMiddleOnes() {
        assertThat(Stats.of(List.of(3, 1, 2)).median()).isEqualTo(2);
        assertThat(Stats.of(List.of(4, 1, 3, 2)).median()).isEqualTo(2.5);
    }

    @Test
    void spreadIsTheRangeOfTheRuns() {
        Stats s = Stats.of(List.of(10.0, 12.0, 11.0));
        assertThat(s.min()).isEqualTo(10);
        assertThat(s.max()).isEqualTo(12);
        assertThat(s.n()).isEqualTo(3);
    }

    @Test
    void percentileIsTheNearestRank() {
        List<Integer> hundred = java.util.stream.IntStream.rangeClosed(1, 100).boxed().toList();
        assertThat(Stats.percentile(hundred, 50)).isEqualTo(50);
        assertThat(Stats.percentile(hundred, 99)).isEqualTo(99);
        assertThat(Stats.percentile(List.of(7.0), 99)).isEqualTo(7);
    }

    @Test
    void noRunsGiveAnEmptyStats() {
        assertThat(Stats.of(List.of()).isEmpty()).isTrue();
    }
}
