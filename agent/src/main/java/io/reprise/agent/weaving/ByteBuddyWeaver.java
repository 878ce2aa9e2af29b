package io.reprise.agent.weaving;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.reprise.agent.bridge.Hooks;
import io.reprise.agent.spi.Slot;
import io.reprise.agent.spi.TypeNames;
import io.reprise.agent.spi.Weaver;
import java.lang.instrument.ClassFileTransformer;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

/**
 * The {@link Weaver} the adapters declare their advice on: one Byte Buddy {@link AgentBuilder} for all of them, on
 * {@link Instrumentations#builder()}. Each {@link #advise} registers its hook in {@link Hooks} and binds the slot to
 * the advice's {@link Slot} parameter.
 */
final class ByteBuddyWeaver implements Weaver {

    private final TypeNames declared;
    private AgentBuilder builder;

    ByteBuddyWeaver(AgentBuilder builder, TypeNames declared) {
        this.builder = builder;
        this.declared = declared;
    }

    @Override
    public void advise(TypeNames types, String method, int arity, Class<?> advice, Hooks.Hook hook) {
        int slot = Hooks.register(hook);
        Advice woven = Advice.withCustomMapping().bind(Slot.class, slot).to(advice);
        // Only the declared types reach Byte Buddy (PendingWeaver), so only they are matched here.
        builder = builder.type(type -> declared.test(type.getName()) && types.test(type.getName()))
                .transform((b, type, loader, module, domain) -> b.visit(woven.on(named(method).and(takesArguments(arity)))));
    }

    AgentBuilder builder() {
        return builder;
    }

    /** Builds the transformer from every adapter's declaration, in the adapters' order. */
    static ClassFileTransformer build(Iterable<Weavings.Declared> declared) {
        AgentBuilder b = Instrumentations.builder();
        for (Weavings.Declared d : declared) {
            ByteBuddyWeaver w = new ByteBuddyWeaver(b, d.weaving().types());
            d.weaving().declare().on(w);
            b = w.builder();
        }
        return b.makeRaw();
    }
}
