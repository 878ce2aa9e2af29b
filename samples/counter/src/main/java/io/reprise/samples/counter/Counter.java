package io.reprise.samples.counter;

/**
 * The state: one number. Ordinary heap state, with no idea that Reprise exists. Synchronized so that the
 * sample is also correct when it runs without the agent.
 */
final class Counter {

    private long value;

    synchronized long increment() {
        return ++value;
    }

    synchronized long set(long newValue) {
        value = newValue;
        return value;
    }

    synchronized long get() {
        return value;
    }
}
