package io.reprise.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WrkTest {

    @Test
    void readsTheLineThatBenchLuaPrints() {
        Wrk.Result r = Wrk.parse("BENCH requests=447 duration_us=1043859 connect_errors=0 read_errors=1 write_errors=0 "
                + "status_errors=2 timeouts=3 p50_us=1239 p90_us=34882 p99_us=121704 p999_us=135714 max_us=135714 mean_us=12009.1");
        assertThat(r.requests()).isEqualTo(447);
        assertThat(r.rps()).isCloseTo(428.2, org.assertj.core.data.Offset.offset(0.1));
        assertThat(r.p99Us()).isEqualTo(121704);
        assertThat(r.maxUs()).isEqualTo(135714);
        assertThat(r.errors()).isEqualTo(6);
    }

    @Test
    void usesOneThreadPerConnectionUpToTwo() {
        assertThat(Wrk.threads(1)).isEqualTo(1);
        assertThat(Wrk.threads(64)).isLessThanOrEqualTo(2);
    }
}
