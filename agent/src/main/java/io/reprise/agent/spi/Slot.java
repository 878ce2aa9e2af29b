package io.reprise.agent.spi;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the {@code int} parameter of an advice method that receives its hook's slot in
 * {@link io.reprise.agent.bridge.Hooks} ({@link Weaver#advise}); Byte Buddy writes it as a constant into the woven
 * code.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Slot {
}
