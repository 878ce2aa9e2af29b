package io.reprise.agent.bridge;

import java.util.Arrays;

/**
 * What advice woven into a server's classes calls. Those classes live in the server's or the application's class
 * loader and see only their own loader chain, which ends at the system class loader: so the advice can reach this
 * class, in the visible part of the agent jar, and nothing else of the agent. Each adapter's hooks are registered
 * here when its weaving is declared, each in a slot of its own; the advice carries its slot as a constant
 * ({@link io.reprise.agent.spi.Slot}), so a new adapter adds nothing to this package.
 *
 * <p>Arguments are JDK types only: the servers' own classes, and {@code jakarta.servlet} or {@code javax.servlet}
 * types, differ from loader to loader. A slot with no hook is a no-op that lets the server carry on unchanged.
 */
public final class Hooks {

    /** What an adapter does when a woven method is entered; runs in the agent's loader. */
    @FunctionalInterface
    public interface Hook {
        /**
         * @return true when Reprise handled the call (advice that uses {@code skipOn} then skips the method's body),
         *     false to let it run
         */
        boolean enter(Object self, Object a0, Object a1, Object a2, Object a3) throws Exception;
    }

    private static volatile Hook[] hooks = new Hook[0];

    private Hooks() {
        throw new AssertionError("Hooks cannot be instantiated");
    }

    /** Registers a hook and returns its slot; called while the weaver is built, before any woven class runs. */
    public static synchronized int register(Hook hook) {
        Hook[] h = Arrays.copyOf(hooks, hooks.length + 1);
        h[h.length - 1] = hook;
        hooks = h;
        return h.length - 1;
    }

    /** What woven advice calls with its slot. */
    public static boolean enter(int slot, Object self, Object a0, Object a1, Object a2, Object a3) throws Exception {
        Hook[] h = hooks;
        return slot >= 0 && slot < h.length && h[slot].enter(self, a0, a1, a2, a3);
    }
}
