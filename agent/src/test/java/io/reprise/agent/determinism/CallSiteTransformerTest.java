package io.reprise.agent.determinism;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.agent.bridge.Determinism;
import io.reprise.agent.bridge.Tape;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class CallSiteTransformerTest {

    private static byte[] classFile(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Defines the rewritten class in a loader of its own, whose parent sees the bridge, as an application's does. */
    @SuppressWarnings("unchecked")
    private static Supplier<List<Object>> rewrittenHandler() throws Exception {
        return (Supplier<List<Object>>) rewritten(NonDeterministicHandler.class);
    }

    /** A new instance of {@code type} rewritten, which must have calls to rewrite. */
    private static Object rewritten(Class<?> type) throws Exception {
        byte[] rewritten = CallSiteTransformer.rewrite(classFile(type));
        assertThat(rewritten).as("%s calls recorded methods, so it is rewritten", type).isNotNull();
        String name = type.getName();
        ClassLoader loader = new ClassLoader(CallSiteTransformerTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                if (n.equals(name)) {
                    synchronized (getClassLoadingLock(n)) {
                        Class<?> c = findLoadedClass(n);
                        return c != null ? c : defineClass(n, rewritten, 0, rewritten.length);
                    }
                }
                return super.loadClass(n, resolve);
            }
        };
        return loader.loadClass(name).getConstructor().newInstance();
    }

    private static <T> T runWith(Tape tape, Supplier<T> handler) {
        Tape outer = Determinism.begin(tape);
        try {
            return handler.get();
        } finally {
            Determinism.end(outer);
        }
    }

    @Test
    void replayHandsBackEveryValueTheHandlerTookLive() throws Exception {
        Supplier<List<Object>> handler = rewrittenHandler();
        Tape live = Tape.recording();
        List<Object> recorded = runWith(live, handler);
        byte[] encoded = live.encode();

        Thread.sleep(5); // so that a clock read live on replay could not equal the recorded one
        Tape replay = Tape.replaying(encoded, System.currentTimeMillis());
        List<Object> replayed = runWith(replay, handler);

        assertThat(replayed).isEqualTo(recorded);
        assertThat(replay.shortfall()).isNull();
        assertThat(live.count(Tape.UUIDS)).isEqualTo(2); // the call and the method reference
    }

    @Test
    void withoutATapeEveryCallIsLive() throws Exception {
        Supplier<List<Object>> handler = rewrittenHandler();
        Tape live = Tape.recording();
        List<Object> recorded = runWith(live, handler);
        List<Object> again = handler.get();
        assertThat(again.get(12)).isInstanceOf(UUID.class).isNotEqualTo(recorded.get(12));
        assertThat((Instant) again.get(2)).isAfterOrEqualTo((Instant) recorded.get(2));
    }

    @Test
    void theUnrewrittenHandlerTakesFreshValuesSoTheTestCanFail() throws Exception {
        Supplier<List<Object>> original = new NonDeterministicHandler();
        Tape live = Tape.recording();
        List<Object> first = runWith(live, original);
        List<Object> second = runWith(Tape.replaying(live.encode(), 0), original);
        assertThat(second.get(12)).isNotEqualTo(first.get(12));
        assertThat(live.count(Tape.UUIDS)).isZero();
    }

    @Test
    void replayThatAsksForMoreIdsThanRecordedGetsFreshOnesAndSaysSo() {
        Tape live = Tape.recording();
        Tape outer = Determinism.begin(live);
        UUID first;
        try {
            first = Determinism.randomUUID();
        } finally {
            Determinism.end(outer);
        }
        Tape replay = Tape.replaying(live.encode(), 0);
        outer = Determinism.begin(replay);
        try {
            assertThat(Determinism.randomUUID()).isEqualTo(first);
            assertThat(Determinism.randomUUID()).isNotEqualTo(first);
        } finally {
            Determinism.end(outer);
        }
        assertThat(replay.shortfall()).contains("UUID").contains("1 recorded, 2 drawn");
    }

    @Test
    void aCallSiteThatDrawsOnlyOnReplayLeavesTheOthersAligned() {
        Determinism.site(501, "com.example.Items.create");
        Determinism.site(502, "com.example.Library.warmUp");
        Tape live = Tape.recording();
        Tape outer = Determinism.begin(live);
        UUID id;
        long time;
        try {
            id = Determinism.randomUUID(501);
            time = Determinism.currentTimeMillis(501);
        } finally {
            Determinism.end(outer);
        }
        Tape replay = Tape.replaying(live.encode(), time - 60_000);
        outer = Determinism.begin(replay);
        try {
            Determinism.currentTimeMillis(502); // a library warming up, on replay only
            UUID warmUp = Determinism.randomUUID(502);
            assertThat(Determinism.randomUUID(501)).isEqualTo(id).isNotEqualTo(warmUp);
            assertThat(Determinism.currentTimeMillis(501)).isEqualTo(time);
        } finally {
            Determinism.end(outer);
        }
        assertThat(replay.shortfall()).isEqualTo("replay drew more UUID values than were recorded live at "
                + "com.example.Library.warmUp (0 recorded, 1 drawn; the extra ones are fresh)");
    }

    @Test
    void runningOutOfClockValuesFallsBackToTheEntrysTime() {
        Tape replay = Tape.replaying(Tape.recording().encode(), 1_700_000_000_123L);
        Tape outer = Determinism.begin(replay);
        try {
            assertThat(Determinism.currentTimeMillis()).isEqualTo(1_700_000_000_123L);
            assertThat(Determinism.instantNow()).isBetween(Instant.ofEpochMilli(1_700_000_000_123L),
                    Instant.ofEpochMilli(1_700_000_000_123L + 60_000)); // advancing from the entry's time
        } finally {
            Determinism.end(outer);
        }
        assertThat(replay.shortfall()).as("the clock running out is no divergence").isNull();
    }

    /** A library loop waiting for the clock to pass a deadline must end on replay too, after the values ran out. */
    @Test
    void afterTheRecordedValuesRunOutTheClockAndNanoTimeStillAdvance() {
        Tape live = Tape.recording();
        Tape outer = Determinism.begin(live);
        try {
            Determinism.nanoTime(7);
        } finally {
            Determinism.end(outer);
        }
        Tape replay = Tape.replaying(live.encode(), 1_700_000_000_000L);
        outer = Determinism.begin(replay);
        try {
            long recorded = Determinism.nanoTime(7);
            long clockStart = Determinism.currentTimeMillis(8);
            long deadline = clockStart + 5;
            int reads = 0;
            while (Determinism.currentTimeMillis(8) < deadline && reads < 50_000_000) {
                reads++;
            }
            assertThat(Determinism.currentTimeMillis(8)).as("the clock advanced past the deadline").isGreaterThanOrEqualTo(deadline);
            long nanoDeadline = Determinism.nanoTime(7) + 5_000_000;
            reads = 0;
            while (Determinism.nanoTime(7) < nanoDeadline && reads < 50_000_000) {
                reads++;
            }
            assertThat(Determinism.nanoTime(7)).isGreaterThanOrEqualTo(nanoDeadline).isGreaterThan(recorded);
        } finally {
            Determinism.end(outer);
        }
        assertThat(replay.shortfall()).isNull();
    }

    @Test
    void aValueTheCallerThrowsAwayIsNotRecordedSoSeedingOnlyOnReplayIsNoShortfall() throws Exception {
        java.util.function.IntSupplier handler = (java.util.function.IntSupplier) rewritten(SeedingHandler.class);
        Tape live = Tape.recording();
        int value = runWith(live, handler::getAsInt);
        assertThat(live.count(Tape.SECURE_RANDOM)).as("only the value used, not the two thrown away").isEqualTo(1);

        Tape replay = Tape.replaying(live.encode(), System.currentTimeMillis());
        assertThat(runWith(replay, handler::getAsInt)).isEqualTo(value);
        assertThat(replay.shortfall()).isNull();
    }

    @Test
    void classesThatNameNoRecordedMethodAreNotParsed() throws Exception {
        ConstantPoolScan scan = new ConstantPoolScan(CallSites.constructed(), CallSites.owners(), CallSites.names());
        assertThat(scan.mayCall(classFile(PlainClass.class))).isFalse();
        assertThat(scan.mayCall(classFile(NonDeterministicHandler.class))).isTrue();
        assertThat(CallSiteTransformer.rewrite(classFile(PlainClass.class))).isNull();
    }
}
