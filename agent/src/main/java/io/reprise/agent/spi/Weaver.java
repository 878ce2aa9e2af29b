package io.reprise.agent.spi;

import io.reprise.agent.bridge.Hooks;

/** Where an adapter declares its advice ({@link Weaving#declare()}); the agent builds Byte Buddy's transformer from it. */
public interface Weaver {

    /**
     * Weaves {@code advice} into the methods named {@code method} with {@code arity} parameters of the classes in
     * {@code types} that are also among the adapter's {@link Weaving#types()}.
     *
     * <p>{@code advice} is a class of static {@code @Advice.OnMethodEnter} (and {@code @Advice.OnMethodExit}) methods
     * that Byte Buddy inlines into the server's class. The inlined code sees only what the server's class loader sees:
     * the JDK and the visible {@code io.reprise.agent.bridge} package. So the advice calls
     * {@link Hooks#enter(int, Object, Object, Object, Object, Object)} with the {@code int} parameter annotated
     * {@link Slot}, which is bound at weave time to the slot where {@code hook} is registered, and the hook runs in
     * the agent's loader.
     */
    void advise(TypeNames types, String method, int arity, Class<?> advice, Hooks.Hook hook);
}
