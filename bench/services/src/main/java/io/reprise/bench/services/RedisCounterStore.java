package io.reprise.bench.services;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPooled;

/**
 * The counter as one Redis key: {@code INCR} per increment. Durability is the server's: the harness starts
 * redis-server with {@code appendonly yes} and {@code appendfsync everysec} or {@code always}.
 */
final class RedisCounterStore implements CounterStore {

    private static final String KEY = "counter";

    private final JedisPooled redis;

    /**
     * @param connections pool size. One per HTTP worker thread: a worker holds a connection for exactly one
     *                    command, so fewer would make workers queue for the pool instead of the server, and more
     *                    would never be used. All are opened up front so the first requests do not pay for it.
     */
    RedisCounterStore(String host, int port, int connections) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(connections);
        pool.setMaxIdle(connections);
        pool.setMinIdle(connections);
        pool.setJmxEnabled(false);
        redis = new JedisPooled(pool, host, port);
        redis.setnx(KEY, "0");
    }

    @Override
    public long increment() {
        return redis.incr(KEY);
    }

    @Override
    public long set(long value) {
        redis.set(KEY, Long.toString(value));
        return value;
    }

    @Override
    public long get() {
        String value = redis.get(KEY);
        return value == null ? 0 : Long.parseLong(value);
    }

    @Override
    public void close() {
        redis.close();
    }
}
