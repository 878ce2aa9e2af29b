package io.reprise.agent.spi;

import io.reprise.agent.bridge.Hooks;
import net.bytebuddy.asm.Advice;

/**
 * Advice that every adapter can use for a method whose entry is only a signal, such as a connector about to open
 * its port or a server starting: it calls the hook with the instance and nothing else, and lets the method run. A
 * hook's exception propagates out of the method (a failed recovery stops the connector from starting).
 */
public final class OnEnter {

    private OnEnter() {
    }

    @Advice.OnMethodEnter
    static void enter(@Slot int slot, @Advice.This Object self) throws Exception {
        Hooks.enter(slot, self, null, null, null, null);
    }
}
