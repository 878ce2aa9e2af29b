package io.reprise.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.k8s.KubernetesSettings;
import io.reprise.k8s.lease.LeaseTimings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void defaultsMatchTheDocumentedTable() {
        Config config = Config.load(null, Map.of(), Map.of());
        assertThat(config.enabled()).isTrue();
        assertThat(config.dataDirectory()).isEqualTo(Path.of("./reprise-data").toAbsolutePath().normalize());
        assertThat(config.journaledMethods()).containsExactly("POST", "PUT", "PATCH", "DELETE");
        assertThat(config.excludedPaths()).isEmpty();
        assertThat(config.sync()).isEqualTo(SyncMode.NONE);
        assertThat(config.snapshotInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.snapshotEvery()).isEqualTo(100_000);
        assertThat(config.snapshotKeep()).isEqualTo(2);
        KubernetesSettings k8s = config.kubernetes();
        assertThat(k8s.mode()).isEqualTo(KubernetesSettings.Mode.AUTO);
        assertThat(k8s.leaseName()).isEmpty();
        assertThat(k8s.timings()).isEqualTo(new LeaseTimings(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)));
        assertThat(k8s.allowNetworkFs()).isTrue();
        assertThat(k8s.annotationsEvery()).isEqualTo(Duration.ofSeconds(10));
        assertThat(k8s.podName()).isEmpty();
        assertThat(k8s.apiServer()).isEmpty();
        assertThat(k8s.serviceAccountDir()).isEqualTo(Path.of("/var/run/secrets/kubernetes.io/serviceaccount"));
    }

    @Test
    void kubernetesKeysComeFromTheEnvironmentLikeAnyOther() {
        KubernetesSettings k8s = Config.load(null, Map.of(), Map.of("REPRISE_K8S_ENABLED", "true", "REPRISE_K8S_LEASE", "shared-volume",
                "REPRISE_K8S_LEASE_DURATION", "30s", "REPRISE_K8S_LEASE_RENEW_DEADLINE", "20s", "REPRISE_K8S_LEASE_RETRY_PERIOD", "500ms",
                "REPRISE_K8S_ALLOW_NETWORK_FS", "false", "REPRISE_K8S_POD", "counter-0")).kubernetes();
        assertThat(k8s.mode()).isEqualTo(KubernetesSettings.Mode.TRUE);
        assertThat(k8s.leaseName()).isEqualTo("shared-volume");
        assertThat(k8s.timings()).isEqualTo(new LeaseTimings(Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofMillis(500)));
        assertThat(k8s.allowNetworkFs()).isFalse();
        assertThat(k8s.podName()).isEqualTo("counter-0");
    }

    @Test
    void leaseTimingsThatCouldLetTwoWritersOverlapAreRefused() {
        assertThatThrownBy(() -> Config.load("k8s.lease.renew-deadline=15s", Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("reprise.k8s.lease.renew-deadline=15s")
                .hasMessageContaining("retry-period < renew-deadline < duration");
        assertThatThrownBy(() -> Config.load("k8s.lease.duration=1500ms", Map.of(), Map.of()))
                .hasMessageContaining("reprise.k8s.lease.duration=1500ms").hasMessageContaining("whole number of seconds");
        assertThatThrownBy(() -> Config.load("k8s.enabled=yes", Map.of(), Map.of()))
                .hasMessageContaining("reprise.k8s.enabled=yes").hasMessageContaining("auto, true or false");
        assertThatThrownBy(() -> Config.load("k8s.lease=Not_A_Name", Map.of(), Map.of()))
                .hasMessageContaining("reprise.k8s.lease=Not_A_Name");
    }

    @Test
    void agentArgumentsBeatSystemPropertiesWhichBeatTheEnvironment() {
        Config config = Config.load("dir=/from/args",
                Map.of("reprise.dir", "/from/property", "reprise.snapshot.keep", "5"),
                Map.of("REPRISE_DIR", "/from/env", "REPRISE_SNAPSHOT_KEEP", "7", "REPRISE_SNAPSHOT_EVERY", "10"));
        assertThat(config.dataDirectory()).isEqualTo(Path.of("/from/args"));
        assertThat(config.snapshotKeep()).isEqualTo(5);
        assertThat(config.snapshotEvery()).isEqualTo(10);
    }

    @Test
    void listValuesInAgentArgumentsNeedNoQuoting() {
        Config config = Config.load("journal.methods=POST,PUT,reprise.dir=/data,journal.exclude=/health,/metrics", Map.of(), Map.of());
        assertThat(config.journaledMethods()).containsExactly("POST", "PUT");
        assertThat(config.dataDirectory()).isEqualTo(Path.of("/data"));
        assertThat(config.excludedPaths()).containsExactly("/health", "/metrics");
    }

    @Test
    void durationsAcceptTheDocumentedUnits() {
        assertThat(Config.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Config.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Config.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void asynchronousRequestsAreBoundedInTimeAndInNumber() {
        Config defaults = Config.load(null, Map.of(), Map.of());
        assertThat(defaults.journalTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(defaults.journalQueue()).isEqualTo(1024);
        Config set = Config.load("journal.timeout=2m,journal.queue=8", Map.of(), Map.of());
        assertThat(set.journalTimeout()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(set.journalQueue()).isEqualTo(8);
        assertThatThrownBy(() -> Config.load("journal.timeout=forever", Map.of(), Map.of()))
                .hasMessageContaining("reprise.journal.timeout=forever").hasMessageContaining("duration");
        assertThatThrownBy(() -> Config.load("journal.queue=0", Map.of(), Map.of()))
                .hasMessageContaining("reprise.journal.queue=0").hasMessageContaining("from 1 to 1048576");
    }

    @Test
    void aBadValueNamesItsKeyAndWhatIsAccepted() {
        assertThatThrownBy(() -> Config.load(null, Map.of("reprise.snapshot.interval", "soon"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("reprise.snapshot.interval=soon")
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> Config.load("snapshot.keep=0", Map.of(), Map.of()))
                .hasMessageContaining("reprise.snapshot.keep=0");
        assertThatThrownBy(() -> Config.load(null, Map.of(), Map.of("REPRISE_ENABLED", "maybe")))
                .hasMessageContaining("reprise.enabled=maybe").hasMessageContaining("true or false");
        assertThatThrownBy(() -> Config.load("journal.exclude=health", Map.of(), Map.of()))
                .hasMessageContaining("reprise.journal.exclude=health").hasMessageContaining("starting with /");
        for (String ambiguous : new String[] {"/a/../b", "/a//b", "/h%65alth", "/a;b", "/a\\b", "/a/./b", "/a?b"}) {
            assertThatThrownBy(() -> Config.load(null, Map.of("reprise.journal.exclude", "/ok," + ambiguous), Map.of()))
                    .as(ambiguous).hasMessageContaining("reprise.journal.exclude=/ok," + ambiguous)
                    .hasMessageContaining("whole segments");
        }
    }

    @Test
    void idempotencyKeysHaveTheirDefaultsAndBadValuesNameTheKey() {
        assertThat(Config.load(null, Map.of(), Map.of()).idempotency().enabled()).isTrue();
        assertThat(Config.load("idempotency=false", Map.of(), Map.of()).idempotency().enabled()).isFalse();
        Map<String, String> bad = Map.of(
                "reprise.idempotency.ttl", "forever",
                "reprise.idempotency.max-keys", "0",
                "reprise.idempotency.max-memory", "1KiB",
                "reprise.idempotency.max-response", "17MiB",
                "reprise.idempotency.required", "payments",
                "reprise.idempotency", "sometimes");
        bad.forEach((key, value) -> assertThatThrownBy(() -> Config.load(null, Map.of(key, value), Map.of()))
                .as(key).isInstanceOf(ConfigException.class).hasMessageContaining(key + "=" + value));
    }

    @Test
    void unknownKeysAreRefusedWhereverTheyAreGiven() {
        assertThatThrownBy(() -> Config.load("snapshot.intervall=5s", Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("snapshot.intervall").hasMessageContaining("reprise.snapshot.interval");
        assertThatThrownBy(() -> Config.load(null, Map.of("reprise.journal.method", "POST"), Map.of()))
                .hasMessageContaining("-Dreprise.journal.method");
        assertThatThrownBy(() -> Config.load(null, Map.of(), Map.of("REPRISE_DIRECTORY", "/x")))
                .hasMessageContaining("REPRISE_DIRECTORY").hasMessageContaining("REPRISE_DIR");
    }

    @Test
    void syncModesAndTheirInterval() {
        assertThat(Config.load("sync=always", Map.of(), Map.of()).sync()).isEqualTo(SyncMode.ALWAYS);
        Config batch = Config.load("sync=batch,sync.interval=20ms", Map.of(), Map.of());
        assertThat(batch.sync()).isEqualTo(SyncMode.BATCH);
        assertThat(batch.syncInterval()).isEqualTo(Duration.ofMillis(20));
        assertThatThrownBy(() -> Config.load("sync=sometimes", Map.of(), Map.of()))
                .hasMessageContaining("reprise.sync=sometimes").hasMessageContaining("none, batch or always");
    }

    @Test
    void bodySizesAcceptUnitsWithinTheJournalsLimit() {
        assertThat(Config.load(null, Map.of(), Map.of()).maxBody()).isEqualTo(16 << 20);
        assertThat(Config.load("journal.max-body=512KiB", Map.of(), Map.of()).maxBody()).isEqualTo(512 << 10);
        assertThat(Config.load("journal.max-body=4096", Map.of(), Map.of()).maxBody()).isEqualTo(4096);
        assertThatThrownBy(() -> Config.load("journal.max-body=1GiB", Map.of(), Map.of()))
                .hasMessageContaining("reprise.journal.max-body=1GiB").hasMessageContaining("16MiB");
    }

    @Test
    void recoveryAndRetentionSwitches() {
        Config defaults = Config.load(null, Map.of(), Map.of());
        assertThat(defaults.skipFailedReplays()).isFalse();
        assertThat(defaults.truncateCorrupt()).isFalse();
        assertThat(defaults.retainAllJournal()).isFalse();
        Config set = Config.load("recovery.on-error=skip,recovery.truncate-corrupt=true,journal.retain=all", Map.of(), Map.of());
        assertThat(set.skipFailedReplays()).isTrue();
        assertThat(set.truncateCorrupt()).isTrue();
        assertThat(set.retainAllJournal()).isTrue();
        assertThatThrownBy(() -> Config.load("recovery.on-error=ignore", Map.of(), Map.of()))
                .hasMessageContaining("reprise.recovery.on-error=ignore").hasMessageContaining("stop or skip");
    }

    @Test
    void environmentNamesAreUpperCaseWithUnderscores() {
        assertThat(Config.environmentName("reprise.snapshot.every")).isEqualTo("REPRISE_SNAPSHOT_EVERY");
    }
}
