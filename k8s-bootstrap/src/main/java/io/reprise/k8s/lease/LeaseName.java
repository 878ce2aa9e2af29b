package io.reprise.k8s.lease;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The name of the Lease that fences a data directory: one Lease per volume, so that every process that could
 * mount the same claim competes for the same Lease.
 *
 * <p>Derived from the pod's spec: the volume mounted at (or above) the data directory, and the
 * PersistentVolumeClaim behind it, give {@code reprise-<claim name>}. A StatefulSet's claim from
 * {@code volumeClaimTemplates} is {@code <template>-<pod>}, so pod {@code counter-0} with template {@code data}
 * gets {@code reprise-data-counter-0}, and the replacement of a force-deleted {@code counter-0} competes for the
 * same Lease. Without a claim (an emptyDir, a hostPath, no volume at all) the pod's name is used, which still
 * fences a same-named replacement pod.
 *
 * @param name   the Lease's name, a valid DNS subdomain
 * @param source how it was chosen, for the log
 */
public record LeaseName(String name, String source) {

    static final String PREFIX = "reprise-";
    private static final int MAX = 253;

    /** {@code override} if not empty, else derived from {@code pod} and the data directory. */
    public static LeaseName of(String override, Pod pod, Path dataDir) {
        if (override != null && !override.isBlank()) {
            return new LeaseName(valid(override.trim()), "set with reprise.k8s.lease");
        }
        String podName = pod.getMetadata().getName();
        VolumeMount mount = mountHolding(pod, dataDir);
        if (mount == null) {
            return new LeaseName(valid(PREFIX + podName), "no volume of pod " + podName + " is mounted at or above "
                    + dataDir + ", so the Lease is named after the pod");
        }
        Volume volume = volume(pod, mount.getName());
        if (volume != null && volume.getPersistentVolumeClaim() != null && volume.getPersistentVolumeClaim().getClaimName() != null) {
            String claim = volume.getPersistentVolumeClaim().getClaimName();
            return new LeaseName(valid(PREFIX + claim), "volume " + mount.getName() + " at " + mount.getMountPath()
                    + " is PersistentVolumeClaim " + claim);
        }
        if (volume != null && volume.getEphemeral() != null) {
            String claim = podName + "-" + volume.getName(); // the name Kubernetes gives a generic ephemeral volume's claim
            return new LeaseName(valid(PREFIX + claim), "volume " + mount.getName() + " at " + mount.getMountPath()
                    + " is the ephemeral claim " + claim);
        }
        return new LeaseName(valid(PREFIX + podName), "volume " + mount.getName() + " at " + mount.getMountPath()
                + " is not a PersistentVolumeClaim, so the Lease is named after the pod");
    }

    /** The mount with the longest path that contains {@code dataDir}, in any container of the pod. */
    static VolumeMount mountHolding(Pod pod, Path dataDir) {
        List<Path> candidates = new ArrayList<>();
        candidates.add(dataDir.toAbsolutePath().normalize());
        try {
            candidates.add(dataDir.toRealPath());
        } catch (java.io.IOException e) {
            // not created yet: the normalised path is all there is
        }
        VolumeMount best = null;
        int bestLength = -1;
        List<Container> containers = new ArrayList<>();
        if (pod.getSpec() != null) {
            containers.addAll(pod.getSpec().getContainers());
        }
        for (Container container : containers) {
            for (VolumeMount mount : container.getVolumeMounts()) {
                if (mount.getMountPath() == null) {
                    continue;
                }
                Path mountPath = Path.of(mount.getMountPath()).normalize();
                for (Path dir : candidates) {
                    if (dir.startsWith(mountPath) && mountPath.getNameCount() > bestLength) {
                        best = mount;
                        bestLength = mountPath.getNameCount();
                    }
                }
            }
        }
        return best;
    }

    private static Volume volume(Pod pod, String name) {
        if (pod.getSpec() == null) {
            return null;
        }
        for (Volume v : pod.getSpec().getVolumes()) {
            if (name.equals(v.getName())) {
                return v;
            }
        }
        return null;
    }

    /** Lower case, only {@code [a-z0-9.-]}, at most 253 characters (a long name keeps a hash of the whole). */
    static String valid(String name) {
        String n = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-").replaceAll("^[.-]+|[.-]+$", "");
        if (n.isEmpty()) {
            throw new IllegalArgumentException("'" + name + "' cannot be made into a Lease name");
        }
        if (n.length() > MAX) {
            String hash = sha256(name).substring(0, 10);
            n = n.substring(0, MAX - hash.length() - 1).replaceAll("[.-]+$", "") + "-" + hash;
        }
        return n;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
