package io.reprise.bench.services;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/** KvApp's state: a concurrent map, or a persistent one whose versions never change. */
abstract class KvState {

    abstract void put(String key, String value);

    abstract String get(String key);

    abstract int size();

    abstract void clear();

    /** Every entry of the state as it is now (the live one: call while no write runs). */
    abstract void forEach(BiConsumer<String, String> action);

    /**
     * The entries as they are now, for writing later while writes go on; null when this state cannot be frozen
     * cheaply (it is then saved while writers wait).
     */
    abstract Snapshot freeze();

    /** A frozen version of the state. */
    interface Snapshot {
        int size();

        void forEach(BiConsumer<String, String> action);
    }

    /** Thread-safe so that the service is also correct without the agent; with it, writes run one at a time. */
    static final class Concurrent extends KvState {
        private final Map<String, String> map;

        Concurrent(int expected) {
            map = new ConcurrentHashMap<>(Math.max(16, expected * 2));
        }

        @Override void put(String key, String value) { map.put(key, value); }
        @Override String get(String key) { return map.get(key); }
        @Override int size() { return map.size(); }
        @Override void clear() { map.clear(); }
        @Override void forEach(BiConsumer<String, String> action) { map.forEach(action); }
        @Override Snapshot freeze() { return null; }
    }

    /**
     * Vavr's {@code HashMap}, a hash array mapped trie: every put makes a new version sharing all but a path of the
     * trie with the old one, so a version read once stays as it was, and freezing the state is reading one reference.
     * Writes are serialised here too (Reprise does that already; this keeps it correct without the agent).
     */
    static final class Persistent extends KvState {
        private volatile io.vavr.collection.HashMap<String, String> map = io.vavr.collection.HashMap.empty();

        @Override synchronized void put(String key, String value) { map = map.put(key, value); }
        @Override String get(String key) { return map.get(key).getOrNull(); }
        @Override int size() { return map.size(); }
        @Override synchronized void clear() { map = io.vavr.collection.HashMap.empty(); }
        @Override void forEach(BiConsumer<String, String> action) { map.forEach(action); }

        @Override
        Snapshot freeze() {
            io.vavr.collection.HashMap<String, String> version = map;
            return new Snapshot() {
                @Override public int size() { return version.size(); }
                @Override public void forEach(BiConsumer<String, String> action) { version.forEach(action); }
            };
        }
    }
}
