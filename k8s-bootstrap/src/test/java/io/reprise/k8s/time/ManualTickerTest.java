package io.reprise.k8s.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The manual ticker that the Kubernetes tests rely on: time moves only with the test, and events keep their order. */
class ManualTickerTest {

    final ManualTicker ticker = new ManualTicker();
    final ScheduledExecutorService scheduler = ticker.newScheduler(1, Thread::new);
    final List<String> log = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        ticker.close();
    }

    void note(String what) {
        log.add(ticker.elapsed().toMillis() + " " + what);
    }

    @Test
    void tasksRunWhenTheTimeReachesThemInOrderOfDueTimeThenOfScheduling() {
        Instant start = ticker.instant();
        scheduler.schedule(() -> note("b"), 200, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> note("a"), 100, TimeUnit.MILLISECONDS);
        scheduler.schedule(() -> note("c"), 200, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> note("tick"), 150, 150, TimeUnit.MILLISECONDS);

        ticker.advance(Duration.ofMillis(99));
        assertThat(log).isEmpty();
        ticker.advance(Duration.ofMillis(221));
        assertThat(log).containsExactly("100 a", "150 tick", "200 b", "200 c", "300 tick");
        assertThat(ticker.elapsed()).isEqualTo(Duration.ofMillis(320));
        assertThat(ticker.instant()).isEqualTo(start.plusMillis(320));
    }

    @Test
    void afterShutdownTheTasksAlreadyDueRunAndNoDelayedOrPeriodicOnes() throws Exception {
        scheduler.execute(() -> note("due"));
        scheduler.schedule(() -> note("delayed"), 1, TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(() -> note("periodic"), 1, 1, TimeUnit.MILLISECONDS);

        scheduler.shutdown();
        assertThatThrownBy(() -> scheduler.execute(() -> note("late"))).isInstanceOf(RejectedExecutionException.class);
        assertThat(scheduler.awaitTermination(1, TimeUnit.SECONDS)).isTrue();
        ticker.advance(Duration.ofSeconds(1));
        assertThat(log).containsExactly("0 due");
    }

    @Test
    void aParticipantSleepsUntilTheDriverMovesTheTimeToItsWakeUp() {
        ManualTicker.Participant sleeper = ticker.start("sleeper", () -> {
            note("asleep");
            ticker.sleep(Duration.ofMillis(500));
            note("awake");
        });
        scheduler.schedule(() -> note("task"), 500, TimeUnit.MILLISECONDS);

        assertThat(sleeper.isDone()).isFalse();
        ticker.advance(Duration.ofMillis(499));
        assertThat(sleeper.isDone()).isFalse();
        ticker.advance(Duration.ofMillis(1));
        assertThat(sleeper.isDone()).isTrue();
        sleeper.join();
        assertThat(log).containsExactly("0 asleep", "500 awake", "500 task"); // the sleeper was scheduled first
    }

    @Test
    void onlyTheDriverMovesTheTime() {
        ManualTicker.Participant other = ticker.start("other", () -> ticker.advance(Duration.ofSeconds(1)));
        assertThatThrownBy(other::join).hasRootCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only the thread that created this ManualTicker");
        assertThat(ticker.elapsed()).isZero();
    }
}
