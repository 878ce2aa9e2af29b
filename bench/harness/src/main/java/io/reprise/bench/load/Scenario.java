package io.reprise.bench.load;

import java.util.List;

/**
 * One way of running the counter service. The first is the baseline every other one is compared with.
 *
 * @param id     short name used in results and file names
 * @param label  what the report calls it
 * @param store  where the counter lives
 * @param option the agent's reprise.sync, or Redis's appendfsync; null otherwise
 */
public record Scenario(String id, String label, Store store, String option) {

    public enum Store { HEAP, AGENT, REDIS, POSTGRES }

    public static final List<Scenario> ALL = List.of(
            new Scenario("baseline", "counter, no agent (baseline)", Store.HEAP, null),
            new Scenario("agent-none", "agent, sync=none", Store.AGENT, "none"),
            new Scenario("agent-batch", "agent, sync=batch", Store.AGENT, "batch"),
            new Scenario("agent-always", "agent, sync=always", Store.AGENT, "always"),
            new Scenario("redis-everysec", "Redis, appendfsync everysec", Store.REDIS, "everysec"),
            new Scenario("redis-always", "Redis, appendfsync always", Store.REDIS, "always"),
            new Scenario("postgres", "PostgreSQL, synchronous_commit=on", Store.POSTGRES, null));

    public static Scenario byId(String id) {
        return ALL.stream().filter(s -> s.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scenario " + id));
    }
}
