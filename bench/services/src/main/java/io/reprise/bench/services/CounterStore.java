package io.reprise.bench.services;

/**
 * Where {@link StoreCounterApp} keeps its counter. Each call is one round trip to the store and is durable when it
 * returns, as far as the store's configuration makes it so (Redis {@code appendfsync}, PostgreSQL
 * {@code synchronous_commit}).
 */
interface CounterStore extends AutoCloseable {

    /** Adds one and returns the new value. */
    long increment() throws Exception;

    /** Sets the value and returns it. */
    long set(long value) throws Exception;

    /** The current value. */
    long get() throws Exception;

    @Override
    void close();
}
