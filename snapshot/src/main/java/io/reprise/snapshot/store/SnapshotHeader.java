package io.reprise.snapshot.store;

/**
 * The verified header of a snapshot file. Internal to Reprise; the layout is described in the {@linkplain
 * io.reprise.snapshot.store package documentation}.
 *
 * @param formatVersion the file format version, at most {@link SnapshotStore#FORMAT_VERSION}
 * @param position the journal position the snapshot covers; equals the one in the file name
 * @param createdMillis when the provider began writing the state, in milliseconds since the epoch
 * @param payloadLength the number of payload bytes, that is, bytes the provider wrote
 * @param payloadCrc32c the CRC32C of the payload
 * @param sectionCount the number of sections in Reprise's part; 0 in a version 1 file, which has no part
 * @param partLength the bytes of Reprise's part, between the header and the payload; 0 in a version 1 file
 */
public record SnapshotHeader(int formatVersion, long position, long createdMillis, long payloadLength,
        int payloadCrc32c, int sectionCount, long partLength) {

    /**
     * @return the file offset of Reprise's part, right after the header
     */
    public long partOffset() {
        return SnapshotFormat.headerSize(formatVersion);
    }

    /**
     * @return the file offset of the payload, right after Reprise's part
     */
    public long payloadOffset() {
        return partOffset() + partLength;
    }
}
