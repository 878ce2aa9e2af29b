package io.reprise.agent.determinism;

/** Names none of the recorded methods: the constant pool scan must let it pass unparsed. */
final class PlainClass {

    int add(int a, int b) {
        System.arraycopy(new int[1], 0, new int[1], 0, 1);
        return Math.max(a, b) + a + b;
    }
}
