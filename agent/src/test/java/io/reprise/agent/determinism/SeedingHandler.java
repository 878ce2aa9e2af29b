package io.reprise.agent.determinism;

import java.security.SecureRandom;
import java.util.function.IntSupplier;

/** Seeds a generator by drawing a value it throws away, as Tomcat's session id generator does, then uses one. */
public class SeedingHandler implements IntSupplier {

    private final SecureRandom random = new SecureRandom();

    @Override
    public int getAsInt() {
        random.nextInt(); // seeding: the value is popped
        random.nextLong(); // the same, two slots
        return random.nextInt();
    }
}
