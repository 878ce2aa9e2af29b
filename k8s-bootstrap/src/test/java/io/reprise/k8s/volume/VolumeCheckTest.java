package io.reprise.k8s.volume;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.k8s.volume.VolumeCheck.Finding;
import io.reprise.k8s.volume.VolumeCheck.Kind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolumeCheckTest {

    /** The mounts of a container in a pod: overlay root, an NFS claim, a block claim, an emptyDir, a tmpfs. */
    static final String POD_MOUNTINFO = String.join("\n",
            "1520 1380 0:312 / / rw,relatime master:562 - overlay overlay rw,lowerdir=/var/lib/containerd/l1,upperdir=/u,workdir=/w",
            "1521 1520 0:315 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
            "1530 1520 0:59 /exports/pvc-7a1 /shared rw,relatime - nfs4 10.0.0.5:/exports/pvc-7a1 rw,vers=4.1",
            "1531 1520 259:3 / /data rw,relatime - ext4 /dev/nvme1n1 rw",
            "1532 1520 259:1 /var/lib/kubelet/pods/5c1e/volumes/kubernetes.io~empty-dir/scratch /scratch rw,relatime - ext4 /dev/nvme0n1p1 rw",
            "1533 1520 0:330 / /mem rw,relatime - tmpfs tmpfs rw,size=65536k",
            "1534 1520 0:331 / /my\\040state rw,relatime - cifs //files/share rw",
            "1535 1520 0:340 / /sshfs rw,relatime shared:9 - fuse.sshfs user@host:/srv rw,user_id=0",
            "");

    static List<Finding> check(String dir, boolean inPod) {
        return VolumeCheck.check(Path.of(dir), MountTable.parse(POD_MOUNTINFO), inPod);
    }

    @Test
    void aBlockVolumeIsFine() {
        assertThat(check("/data/reprise", true)).isEmpty();
    }

    @Test
    void networkFileSystemsAreFlaggedInAndOutOfPods() {
        assertThat(check("/shared/reprise", true)).extracting(Finding::kind).containsExactly(Kind.NETWORK_FILE_SYSTEM);
        assertThat(check("/shared/reprise", false)).extracting(Finding::kind).containsExactly(Kind.NETWORK_FILE_SYSTEM);
        assertThat(check("/my state/x", false)).extracting(Finding::kind).containsExactly(Kind.NETWORK_FILE_SYSTEM);
        assertThat(check("/sshfs", false)).extracting(Finding::kind).containsExactly(Kind.NETWORK_FILE_SYSTEM);
        assertThat(check("/shared/reprise", true).get(0).message())
                .contains("network file system (nfs4 10.0.0.5:/exports/pvc-7a1 at /shared)")
                .contains("reprise.k8s.allow-network-fs=false");
    }

    @Test
    void inAPodTheContainersOwnFileSystemAnEmptyDirAndMemoryAreFlagged() {
        assertThat(check("/app/reprise-data", true)).extracting(Finding::kind).containsExactly(Kind.NOT_A_VOLUME);
        assertThat(check("/scratch/data", true)).extracting(Finding::kind).containsExactly(Kind.EMPTY_DIR);
        assertThat(check("/mem/data", true)).extracting(Finding::kind).containsExactly(Kind.IN_MEMORY);
        assertThat(check("/app/reprise-data", true).get(0).message()).contains("vanish with the container");
    }

    @Test
    void outsideAPodOnlyNetworkFileSystemsMatter() {
        assertThat(check("/app/reprise-data", false)).isEmpty();
        assertThat(check("/mem/data", false)).isEmpty();
    }

    @Test
    void theMountTableUnescapesPathsAndPicksTheDeepestMount() {
        MountTable table = MountTable.parse(POD_MOUNTINFO);
        assertThat(table.mounts()).hasSize(8);
        assertThat(table.holding(Path.of("/my state/x")).orElseThrow().fsType()).isEqualTo("cifs");
        assertThat(table.holding(Path.of("/data/x/y")).orElseThrow().source()).isEqualTo("/dev/nvme1n1");
        assertThat(table.holding(Path.of("/datax")).orElseThrow().mountPoint()).isEqualTo(Path.of("/"));
    }

    @Test
    void thisMachinesMountTableCanBeRead() {
        MountTable table = MountTable.read();
        if (!table.isEmpty()) {
            assertThat(table.holding(Path.of(System.getProperty("java.io.tmpdir")))).isPresent();
        }
    }
}
