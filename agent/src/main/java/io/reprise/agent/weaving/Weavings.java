package io.reprise.agent.weaving;

import io.reprise.agent.spi.TypeNames;
import io.reprise.agent.spi.Weaving;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * Every adapter's {@link Weaving}, installed as one {@link PendingWeaver}: one set of heralds, one set of woven
 * names, one Byte Buddy transformer built in the background when the first herald shows up.
 */
public final class Weavings {

    /** One adapter's weaving, with the adapter's name for messages. */
    record Declared(String adapter, Weaving weaving) {
    }

    private final List<Declared> declared = new ArrayList<>();

    public void add(String adapter, Weaving weaving) {
        if (!weaving.heralds().isEmpty() || !weaving.types().isEmpty()) {
            declared.add(new Declared(adapter, weaving));
        }
    }

    /** The transformer that stands in for Byte Buddy's until a herald is seen; null when no adapter weaves. */
    public PendingWeaver pending() {
        if (declared.isEmpty()) {
            return null;
        }
        List<String> heralds = new ArrayList<>();
        TypeNames types = TypeNames.none();
        List<String> adapters = new ArrayList<>();
        for (Declared d : declared) {
            for (String h : d.weaving().heralds()) {
                if (!heralds.contains(h)) {
                    heralds.add(h);
                }
            }
            types = types.or(d.weaving().types());
            adapters.add(d.adapter());
        }
        List<Declared> all = List.copyOf(declared);
        return new PendingWeaver(heralds, () -> ByteBuddyWeaver.build(all), types,
                "requests through " + String.join(", ", adapters) + " are NOT journaled");
    }

    /** Installs {@link #pending()}, if any adapter weaves. */
    public void install(Instrumentation instrumentation) {
        PendingWeaver p = pending();
        if (p != null) {
            instrumentation.addTransformer(p, false);
        }
    }
}
