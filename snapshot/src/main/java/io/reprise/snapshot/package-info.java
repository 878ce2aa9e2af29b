/**
 * What an application implements so that Reprise can snapshot its state: {@link
 * io.reprise.snapshot.SnapshotProvider}, made known either through {@code
 * META-INF/services/io.reprise.snapshot.SnapshotProvider} or with {@link
 * io.reprise.snapshot.SnapshotProviders#register(io.reprise.snapshot.SnapshotProvider)}.
 *
 * <p>This package has no dependencies beyond the JDK and is the only part of Reprise an application compiles
 * against. The package {@code io.reprise.snapshot.store} in the same artifact is internal to Reprise.
 */
package io.reprise.snapshot;
