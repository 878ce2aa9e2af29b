package io.reprise.k8s.volume;

import io.reprise.k8s.volume.MountTable.Mount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the data directory's file system means for Reprise, from the mount table alone (no I/O beyond reading
 * {@code /proc/self/mountinfo}, well under a millisecond).
 *
 * <ul>
 *   <li>A <b>network file system</b> (NFS, SMB/CIFS, CephFS, GlusterFS, ...): the journal is a memory-mapped file,
 *       and these file systems do not keep memory-mapped writes coherent or durable the way a local disk does; their
 *       locks may not exclude a process on another machine either. Warned everywhere; refused with
 *       {@code reprise.k8s.allow-network-fs=false}.</li>
 *   <li>In a pod only: the directory is on the container's own root file system (not a volume), on an
 *       {@code emptyDir}, or in memory ({@code tmpfs}): the state does not survive the container, or the pod.</li>
 * </ul>
 */
public final class VolumeCheck {

    /** File-system types where memory-mapped files are unsafe to journal on. */
    static final Set<String> NETWORK_FS = Set.of(
            "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "9p", "afs", "coda", "ceph", "glusterfs", "lustre", "gpfs",
            "beegfs", "orangefs", "pvfs2", "davfs", "fuse.sshfs", "fuse.glusterfs", "fuse.ceph-fuse", "fuse.cephfs",
            "fuse.s3fs", "fuse.gcsfuse", "fuse.rclone", "fuse.juicefs", "fuse.goofys", "fuse.blobfuse", "fuse.blobfuse2",
            "fuse.mountpoint-s3", "fuse.davfs", "fuse.seaweedfs", "fuse.lizardfs", "fuse.moosefs", "fuse.mfs", "fuse.quobyte");

    private static final Set<String> MEMORY_FS = Set.of("tmpfs", "ramfs");

    /** What was found. */
    public enum Kind {
        NETWORK_FILE_SYSTEM, NOT_A_VOLUME, EMPTY_DIR, IN_MEMORY
    }

    /**
     * One finding about the data directory.
     *
     * @param kind    what it is
     * @param message one line for the log: what was found, why it matters, what to do
     */
    public record Finding(Kind kind, String message) {
    }

    private VolumeCheck() {
        throw new AssertionError("VolumeCheck cannot be instantiated");
    }

    /**
     * Checks {@code dataDir}.
     *
     * @param inPod whether this process runs in a Kubernetes pod (the volume findings apply only there)
     */
    public static List<Finding> check(Path dataDir, MountTable table, boolean inPod) {
        List<Finding> findings = new ArrayList<>();
        Optional<Mount> holding = table.holding(dataDir);
        if (holding.isEmpty()) {
            return findings;
        }
        Mount m = holding.get();
        String type = m.fsType().toLowerCase(Locale.ROOT);
        if (isNetwork(type)) {
            findings.add(new Finding(Kind.NETWORK_FILE_SYSTEM, "data directory " + dataDir + " is on a network file system ("
                    + m.fsType() + " " + m.source() + " at " + m.mountPoint() + "). The journal is a memory-mapped file, and "
                    + "network file systems neither keep memory-mapped writes coherent and durable nor reliably lock out a "
                    + "process on another machine: acknowledged requests can be lost or the journal corrupted. Use a block "
                    + "volume (ReadWriteOnce: a cloud disk, local SSD, iSCSI, Ceph RBD); set reprise.k8s.allow-network-fs=false "
                    + "to refuse to start on one"));
        }
        if (!inPod) {
            return findings;
        }
        if (m.mountPoint().getNameCount() == 0) {
            findings.add(new Finding(Kind.NOT_A_VOLUME, "data directory " + dataDir + " is not on a mounted volume but on the "
                    + "container's own file system (" + m.fsType() + "): the journal and snapshots vanish with the container. "
                    + "Mount a PersistentVolumeClaim there (a StatefulSet's volumeClaimTemplates) and point REPRISE_DIR at it"));
        } else if (m.root().contains("kubernetes.io~empty-dir")) {
            findings.add(new Finding(Kind.EMPTY_DIR, "data directory " + dataDir + " is on an emptyDir volume (" + m.mountPoint()
                    + "): it survives a container restart but is deleted with the pod, on rescheduling, eviction or node "
                    + "failure. Use a PersistentVolumeClaim"));
        } else if (MEMORY_FS.contains(type)) {
            findings.add(new Finding(Kind.IN_MEMORY, "data directory " + dataDir + " is in memory (" + m.fsType() + " at "
                    + m.mountPoint() + "): the journal and snapshots are lost with the pod, and count against its memory "
                    + "limit. Use a PersistentVolumeClaim"));
        }
        return findings;
    }

    static boolean isNetwork(String fsType) {
        return NETWORK_FS.contains(fsType);
    }
}
