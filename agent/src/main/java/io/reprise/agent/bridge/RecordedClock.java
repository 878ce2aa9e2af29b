package io.reprise.agent.bridge;

import java.io.Serializable;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

/**
 * What {@code Clock.systemUTC()}, {@code Clock.systemDefaultZone()} and {@code Clock.system(zone)} return in rewritten
 * classes: the system clock, except that on a thread running a journaled request its readings are recorded, or
 * handed back on replay ({@link Determinism}). A clock made at start-up and kept in a field is therefore recorded
 * in every request that reads it. Equal to another one of the same zone, as the JDK's system clocks are.
 */
final class RecordedClock extends Clock implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ZoneId zone;
    private final int site; // where it was made: its readings are that call site's stream

    RecordedClock(ZoneId zone, int site) {
        this.zone = zone;
        this.site = site;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return zone.equals(this.zone) ? this : new RecordedClock(zone, site);
    }

    @Override
    public long millis() {
        return Determinism.currentTimeMillis(site);
    }

    @Override
    public Instant instant() {
        Tape t = Determinism.clockTape();
        return t == null ? Instant.now() : Determinism.instant(t, site);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RecordedClock && ((RecordedClock) other).zone.equals(zone);
    }

    @Override
    public int hashCode() {
        return zone.hashCode() + 1;
    }

    @Override
    public String toString() {
        return "SystemClock[" + zone + "]";
    }
}
