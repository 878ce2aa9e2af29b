package io.reprise.agent.weaving;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.agent.bridge.Hooks;
import io.reprise.agent.spi.Slot;
import io.reprise.agent.spi.TypeNames;
import io.reprise.agent.spi.Weaving;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.bytebuddy.asm.Advice;
import org.junit.jupiter.api.Test;

/** The transformer built from adapters' weavings, applied to real class bytes and run. */
class ByteBuddyWeaverTest {

    private static final String GREETER = "wovenfixture.Greeter";

    private final List<String> calls = new CopyOnWriteArrayList<>();

    static final class GreetAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Slot int slot, @Advice.This Object self, @Advice.Argument(0) Object name) throws Exception {
            return Hooks.enter(slot, self, name, null, null, null);
        }
    }

    @Test
    void eachAdviceCallsItsOwnHookThroughTheSlotBoundAtWeaveTime() throws Exception {
        // Two adapters, each with a hook on the same method: the slots keep them apart. The first declines (the
        // method runs), the second handles the call (the body is skipped, the method returns null).
        Weaving first = new Weaving(List.of(), TypeNames.named(GREETER), w -> w.advise(TypeNames.named(GREETER), "greet", 1,
                GreetAdvice.class, (self, name, a1, a2, a3) -> calls.add("first " + name)
                        && name.equals("skip-in-first")));
        Weaving second = new Weaving(List.of(), TypeNames.named(GREETER), w -> w.advise(TypeNames.named(GREETER), "greet", 1,
                GreetAdvice.class, (self, name, a1, a2, a3) -> calls.add("second " + name) && name.equals("skip")));
        ClassFileTransformer t = ByteBuddyWeaver.build(List.of(new Weavings.Declared("first", first),
                new Weavings.Declared("second", second)));

        Object greeter = wovenGreeter(t);
        Method greet = greeter.getClass().getMethod("greet", String.class);

        assertThat(greet.invoke(greeter, "ada")).isEqualTo("hello ada");
        assertThat(greet.invoke(greeter, "skip")).isNull();
        assertThat(greeter.getClass().getMethod("greet", String.class, String.class).invoke(greeter, "a", "b"))
                .as("another arity is not woven").isEqualTo("hello a and b");
        // Which advice is outermost is Byte Buddy's choice; either way the second hook saw the skipped call.
        assertThat(calls).contains("first ada", "second ada", "second skip");
    }

    @Test
    void adviceAppliesOnlyToTheTypesItsWeavingDeclares() throws Exception {
        // The advice names the class, the weaving does not: PendingWeaver would never hand it over, so neither
        // does the matcher.
        Weaving w = new Weaving(List.of(), TypeNames.named("wovenfixture.Other"), weaver -> weaver.advise(
                TypeNames.named(GREETER), "greet", 1, GreetAdvice.class, (self, name, a1, a2, a3) -> calls.add("called")));
        ClassFileTransformer t = ByteBuddyWeaver.build(List.of(new Weavings.Declared("w", w)));

        Object greeter = wovenGreeter(t);

        assertThat(greeter.getClass().getMethod("greet", String.class).invoke(greeter, "ada")).isEqualTo("hello ada");
        assertThat(calls).isEmpty();
    }

    /** Greeter's class file through the transformer, defined in a loader of its own that sees this test's classes. */
    private static Object wovenGreeter(ClassFileTransformer t) throws Exception {
        byte[] original;
        try (InputStream in = ByteBuddyWeaverTest.class.getClassLoader().getResourceAsStream("wovenfixture/Greeter.class")) {
            original = in.readAllBytes();
        }
        ClassLoader parent = ByteBuddyWeaverTest.class.getClassLoader();
        final class Child extends ClassLoader {
            Child(ClassLoader parent) {
                super(parent);
            }

            Class<?> define(byte[] b) {
                return defineClass(GREETER, b, 0, b.length);
            }
        }
        Child child = new Child(parent);
        byte[] woven = t.transform(child, "wovenfixture/Greeter", null, null, original);
        Class<?> type = child.define(woven == null ? original : woven);
        return type.getDeclaredConstructor().newInstance();
    }
}
