package io.reprise.agent.weaving;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.utility.JavaModule;

/** The Byte Buddy set-up every adapter's weaving shares. */
public final class Instrumentations {

    private static final Logger LOG = System.getLogger("io.reprise.adapter");

    private Instrumentations() {
    }

    /**
     * Advice only, no new members (so it works when a class is already loaded, too); the JDK, Byte Buddy and the
     * agent itself are never looked at; failures are logged, never thrown into the application's class loading.
     */
    static AgentBuilder builder() {
        return new AgentBuilder.Default()
                .disableClassFormatChanges()
                .ignore(nameStartsWith("net.bytebuddy.")
                        .or(nameStartsWith("io.reprise."))
                        .or(nameStartsWith("java."))
                        .or(nameStartsWith("javax.crypto."))
                        .or(nameStartsWith("jdk."))
                        .or(nameStartsWith("sun."))
                        .or(nameStartsWith("com.sun.")))
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                                 net.bytebuddy.dynamic.DynamicType dynamicType) {
                        LOG.log(Level.DEBUG, "reprise: instrumented " + type.getName());
                    }

                    @Override
                    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
                        LOG.log(Level.WARNING, "reprise: cannot instrument " + typeName + ": " + error
                                + "; requests through it are not journaled", error);
                    }
                });
    }
}
