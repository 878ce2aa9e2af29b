/**
 * <b>Internal to Reprise.</b> The snapshot store the agent uses: file format, atomic write, retention. It is
 * public only because the agent lives in another artifact; applications must not use it, and it may change
 * in any release. Applications implement {@link io.reprise.snapshot.SnapshotProvider} instead.
 *
 * <h2>Directory</h2>
 *
 * One file per snapshot in {@code <reprise.dir>/snapshots/}, named {@code snapshot-<position>.snap} with the
 * covered journal position as 16 lowercase hex digits, so that names sort by position and the greatest name
 * is the newest snapshot. A snapshot is written to {@code .snapshot-<random>.tmp}, fsynced, renamed to its
 * final name in one atomic step, and the directory is fsynced: a crash leaves either the complete file under
 * its final name or a temporary file that readers ignore and {@link io.reprise.snapshot.store.SnapshotStore#retain(int)}
 * removes.
 *
 * <h2>File format, version 1</h2>
 *
 * A fixed 48-byte header, then the payload exactly as the provider wrote it. All numbers big-endian.
 * <table>
 *   <caption>Snapshot header, format version 1</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>8</td><td>magic, ASCII {@code REPRSNAP}</td></tr>
 *   <tr><td>8</td><td>4</td><td>format version, {@code 1}</td></tr>
 *   <tr><td>12</td><td>4</td><td>header size in bytes, {@code 48}; the payload starts here</td></tr>
 *   <tr><td>16</td><td>8</td><td>covered journal position; equals the one in the file name</td></tr>
 *   <tr><td>24</td><td>8</td><td>created, milliseconds since the epoch (when the provider began writing)</td></tr>
 *   <tr><td>32</td><td>8</td><td>payload length in bytes; the file is exactly header size + payload length</td></tr>
 *   <tr><td>40</td><td>4</td><td>CRC32C of the payload</td></tr>
 *   <tr><td>44</td><td>4</td><td>CRC32C of header bytes 0 to 43</td></tr>
 * </table>
 *
 * <p>Every later format version keeps the first 16 bytes (magic, version, header size) and ends its header
 * with the header's CRC32C. A reader can therefore check the header checksum before it trusts the version
 * field, and tell a file from a newer release (refused, {@link
 * io.reprise.snapshot.store.UnsupportedSnapshotFormatException}) from a damaged one ({@link
 * io.reprise.snapshot.store.CorruptSnapshotException}).
 */
package io.reprise.snapshot.store;
