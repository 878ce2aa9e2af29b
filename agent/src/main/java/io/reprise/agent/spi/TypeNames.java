package io.reprise.agent.spi;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Binary class names ({@code org.apache.catalina.connector.Connector}), exact or by prefix and suffix: what an
 * adapter weaves. Testing a name is a hash lookup plus one comparison per pattern, since every class the JVM loads is
 * tested against the adapters' names.
 */
public final class TypeNames implements Predicate<String> {

    private static final TypeNames NONE = new TypeNames(Set.of(), List.of());

    private final Set<String> names;
    private final List<String[]> patterns; // {prefix, suffix}

    private TypeNames(Set<String> names, List<String[]> patterns) {
        this.names = Set.copyOf(names);
        this.patterns = List.copyOf(patterns);
    }

    /** No class. */
    public static TypeNames none() {
        return NONE;
    }

    /** Exactly these classes. */
    public static TypeNames named(String... names) {
        return new TypeNames(Set.of(names), List.of());
    }

    /**
     * Every class whose name starts with {@code prefix} and ends with one of {@code suffixes}: for example Spring
     * Boot's {@code NettyWebServer}, whose package differs between Spring Boot 3 and 4.
     */
    public static TypeNames prefixAndSuffix(String prefix, String... suffixes) {
        List<String[]> p = new ArrayList<>();
        for (String s : suffixes) {
            p.add(new String[] {prefix, s});
        }
        return new TypeNames(Set.of(), p);
    }

    /** The classes of this or of {@code other}. */
    public TypeNames or(TypeNames other) {
        Set<String> n = new HashSet<>(names);
        n.addAll(other.names);
        List<String[]> p = new ArrayList<>(patterns);
        p.addAll(other.patterns);
        return new TypeNames(n, p);
    }

    public boolean isEmpty() {
        return names.isEmpty() && patterns.isEmpty();
    }

    @Override
    public boolean test(String binaryName) {
        if (names.contains(binaryName)) {
            return true;
        }
        for (String[] p : patterns) {
            if (binaryName.startsWith(p[0]) && binaryName.endsWith(p[1])) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        List<String> all = new ArrayList<>(names);
        for (String[] p : patterns) {
            all.add(p[0] + "*" + p[1]);
        }
        return all.toString();
    }
}
