package io.reprise.agent.determinism;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** A handler as applications write them: every call Reprise records, in one method (CallSiteTransformerTest). */
public final class NonDeterministicHandler implements Supplier<List<Object>> {

    private static final Random SHARED = new Random();
    private static final SecureRandom SECURE = new SecureRandom();
    private static final Clock CLOCK = Clock.systemUTC();

    @Override
    public List<Object> get() {
        List<Object> values = new ArrayList<>();
        values.add(System.currentTimeMillis());
        values.add(System.nanoTime());
        values.add(Instant.now());
        values.add(CLOCK.instant());
        values.add(CLOCK.millis());
        values.add(Clock.systemDefaultZone().instant());
        values.add(LocalDate.now());
        values.add(LocalDateTime.now());
        values.add(LocalTime.now());
        values.add(ZonedDateTime.now(ZoneId.of("Europe/Paris")));
        values.add(OffsetDateTime.now());
        values.add(new Date());
        values.add(UUID.randomUUID());
        Supplier<UUID> ids = UUID::randomUUID;
        values.add(ids.get());
        values.add(new Random().nextLong());
        values.add(SHARED.nextInt());
        values.add(SHARED.nextInt(1000));
        values.add(SHARED.nextDouble());
        values.add(SHARED.nextBoolean());
        values.add(Math.random());
        values.add(ThreadLocalRandom.current().nextInt(5, 500));
        values.add(ThreadLocalRandom.current().nextLong());
        RandomGenerator generator = ThreadLocalRandom.current();
        values.add(generator.nextGaussian());
        byte[] bytes = new byte[20];
        SECURE.nextBytes(bytes);
        values.add(java.util.HexFormat.of().formatHex(bytes));
        values.add(SECURE.nextLong());
        values.add(java.util.HexFormat.of().formatHex(SECURE.generateSeed(4)));
        return values;
    }
}
