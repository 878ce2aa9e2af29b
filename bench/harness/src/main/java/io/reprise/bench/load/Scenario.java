package io.reprise.bench.load;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One way of running the counter service. The first is the baseline every other one is compared with.
 *
 * @param id     short name used in results and file names
 * @param label  what the report calls it
 * @param store  where the counter lives
 * @param option the agent's reprise.sync, or Redis's appendfsync; null otherwise
 */
public record Scenario(String id, String label, Store store, String option) {

    /** {@code PREVIOUS_AGENT}: the counter with the agent jar given as {@code --previous-agent}. */
    public enum Store { HEAP, AGENT, PREVIOUS_AGENT, REDIS, POSTGRES }

    public static final String PREVIOUS_NONE = "previous-none";

    public static final List<Scenario> ALL = List.of(
            new Scenario("baseline", "counter, no agent (baseline)", Store.HEAP, null),
            new Scenario("agent-none", "agent, sync=none", Store.AGENT, "none"),
            new Scenario(PREVIOUS_NONE, "agent (previous release), sync=none", Store.PREVIOUS_AGENT, "none"),
            new Scenario("agent-batch", "agent, sync=batch", Store.AGENT, "batch"),
            new Scenario("agent-always", "agent, sync=always", Store.AGENT, "always"),
            new Scenario("redis-everysec", "Redis, appendfsync everysec", Store.REDIS, "everysec"),
            new Scenario("redis-always", "Redis, appendfsync always", Store.REDIS, "always"),
            new Scenario("postgres", "PostgreSQL, synchronous_commit=on", Store.POSTGRES, null));

    public static Scenario byId(String id) {
        return ALL.stream().filter(s -> s.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scenario " + id));
    }

    /** Whether the counter runs with an agent jar (this build's or the previous release's). */
    public boolean agent() {
        return store == Store.AGENT || store == Store.PREVIOUS_AGENT;
    }

    /**
     * The scenarios named in {@code --scenarios}, in the order of {@link #ALL}: each by its id, or an agent's by its
     * sync mode alone ({@code none}, {@code batch}, {@code always}, as for {@code agent-none}).
     *
     * @throws IllegalArgumentException naming the unknown ones and the known ids
     */
    public static List<String> parse(String list) {
        Set<String> wanted = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String name : list.split(",")) {
            String n = name.trim();
            if (n.isEmpty()) {
                continue;
            }
            String id = ALL.stream().anyMatch(s -> s.id.equals(n)) ? n : "agent-" + n;
            if (ALL.stream().anyMatch(s -> s.id.equals(id))) {
                wanted.add(id);
            } else {
                unknown.add(n);
            }
        }
        if (!unknown.isEmpty() || wanted.isEmpty()) {
            throw new IllegalArgumentException((unknown.isEmpty() ? "no scenario named" : "unknown scenario(s) " + String.join(",", unknown))
                    + "; the scenarios are " + String.join(",", ALL.stream().map(Scenario::id).toList())
                    + " (none, batch and always stand for agent-none, agent-batch and agent-always)");
        }
        return ALL.stream().map(Scenario::id).filter(wanted::contains).toList();
    }
}
