package io.reprise.snapshot.store;

import java.util.List;
import java.util.Optional;

/**
 * Reprise's own part of a snapshot file: named sections beside the provider's payload, for state the agent keeps
 * itself rather than the application (container sessions, an Idempotency-Key table). Internal to Reprise. Written
 * with {@link PendingSnapshot#writeSection}, read, every byte checked, with {@link SnapshotFile#readPart()}.
 *
 * <p>A reader looks up the sections it knows by name and ignores the others, so a section that a newer release
 * adds does not make the file unreadable to an older one. Each section carries its own version byte, given by its
 * writer: the encoding of one section changes without a new file format, and a reader that knows a section's name
 * but not its version refuses that section (recovery then treats the snapshot like one whose restore failed).
 */
public final class ReprisePart {

    /** The part of a version 1 file, or of a file written without sections. */
    static final ReprisePart EMPTY = new ReprisePart(List.of());

    private final List<Section> sections;

    ReprisePart(List<Section> sections) {
        this.sections = List.copyOf(sections);
    }

    /**
     * One section, as its writer wrote it.
     *
     * @param name    its name, 1 to 32 characters {@code a-z 0-9 . _ -}
     * @param version its writer's version of the encoding, 0 to 255
     * @param bytes   its bytes, verified against their CRC32C; the array is not copied, the caller may keep it
     */
    public record Section(String name, int version, byte[] bytes) {

        @Override
        public String toString() {
            return "Section[" + name + ", version " + version + ", " + bytes.length + " bytes]";
        }
    }

    /**
     * @param name a section name
     * @return the section of that name, or empty if the file has none (a version 1 file has no sections)
     */
    public Optional<Section> section(String name) {
        for (Section section : sections) {
            if (section.name().equals(name)) {
                return Optional.of(section);
            }
        }
        return Optional.empty();
    }

    /**
     * @return every section, known to this release or not, in file order; unmodifiable
     */
    public List<Section> sections() {
        return sections;
    }

    @Override
    public String toString() {
        return "ReprisePart" + sections;
    }
}
