/**
 * The server adapter SPI: what a server adapter implements ({@link io.reprise.agent.spi.ServerAdapter},
 * {@link io.reprise.agent.spi.Weaving}) and the narrow view of the agent it depends on
 * ({@link io.reprise.agent.spi.AdapterContext}, {@link io.reprise.agent.spi.JournalGate},
 * {@link io.reprise.agent.spi.RecoveryGate}). docs/architecture.md, "How to add a server", walks through one.
 */
package io.reprise.agent.spi;
