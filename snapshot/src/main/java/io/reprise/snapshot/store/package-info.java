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
 * <h2>File format, version 2</h2>
 *
 * A fixed 60-byte header, then Reprise's part (its own sections, possibly none), then the payload exactly as the
 * provider wrote it. All numbers big-endian; every byte is covered by a CRC32C.
 * <table>
 *   <caption>Snapshot header, format version 2</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>8</td><td>magic, ASCII {@code REPRSNAP}</td></tr>
 *   <tr><td>8</td><td>4</td><td>format version, {@code 2}</td></tr>
 *   <tr><td>12</td><td>4</td><td>header size in bytes, {@code 60}; Reprise's part starts here</td></tr>
 *   <tr><td>16</td><td>8</td><td>covered journal position; equals the one in the file name</td></tr>
 *   <tr><td>24</td><td>8</td><td>created, milliseconds since the epoch (when the provider began writing)</td></tr>
 *   <tr><td>32</td><td>8</td><td>payload length in bytes</td></tr>
 *   <tr><td>40</td><td>4</td><td>CRC32C of the payload</td></tr>
 *   <tr><td>44</td><td>4</td><td>section count, 0 to 64</td></tr>
 *   <tr><td>48</td><td>8</td><td>length of Reprise's part in bytes; the payload starts at 60 + this length, and
 *       the file is exactly 60 + part length + payload length</td></tr>
 *   <tr><td>56</td><td>4</td><td>CRC32C of header bytes 0 to 55</td></tr>
 * </table>
 *
 * <p>Reprise's part is its sections one after the other, each a frame followed by its data; the frames of all
 * sections fill exactly the part length the header gives.
 * <table>
 *   <caption>Section frame, n = name length</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>1</td><td>name length n, 1 to 32</td></tr>
 *   <tr><td>1</td><td>n</td><td>name, ASCII {@code a-z 0-9 . _ -}, unique in the file</td></tr>
 *   <tr><td>1 + n</td><td>1</td><td>section version, 0 to 255, chosen by the section's writer</td></tr>
 *   <tr><td>2 + n</td><td>8</td><td>data length in bytes, at most 1 GiB; the data follows the frame</td></tr>
 *   <tr><td>10 + n</td><td>4</td><td>CRC32C of the data</td></tr>
 *   <tr><td>14 + n</td><td>4</td><td>CRC32C of frame bytes 0 to 13 + n</td></tr>
 * </table>
 *
 * <p>Readers ignore sections whose names they do not know, so a newer release may add sections without a new
 * format version. Each section has its own version byte rather than the part having one: the sections belong to
 * different features (container sessions, an Idempotency-Key table) whose encodings change on their own schedule,
 * and a reader that knows a section's name but not its version refuses that section alone. The layout of the part
 * itself is that of the file's format version. Every length is checked, before anything of that length is read,
 * against what the header says the part holds, which the file size must match: a damaged length cannot make a
 * reader allocate more than the file holds. A damaged section is reported with its byte offset.
 *
 * <h2>File format, version 1</h2>
 *
 * Written by earlier releases and still read, as a file with no sections: a fixed 48-byte header, then the
 * payload. The fields at offsets 0 to 43 are those of version 2 (format version {@code 1}, header size
 * {@code 48}; the file is exactly 48 + payload length), and header bytes 44 to 47 hold the CRC32C of bytes 0 to 43.
 *
 * <p>Every later format version keeps the first 16 bytes (magic, version, header size) and ends its header
 * with the header's CRC32C. A reader can therefore check the header checksum before it trusts the version
 * field, and tell a file from a newer release (refused, {@link
 * io.reprise.snapshot.store.UnsupportedSnapshotFormatException}) from a damaged one ({@link
 * io.reprise.snapshot.store.CorruptSnapshotException}).
 */
package io.reprise.snapshot.store;
