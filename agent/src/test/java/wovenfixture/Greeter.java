package wovenfixture;

/** A class for ByteBuddyWeaverTest to weave: outside io.reprise, which the weaver never looks at. */
public class Greeter {

    public String greet(String name) {
        return "hello " + name;
    }

    public String greet(String name, String other) {
        return "hello " + name + " and " + other;
    }
}
