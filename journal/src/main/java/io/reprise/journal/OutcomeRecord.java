package io.reprise.journal;

/**
 * An outcome record as decoded from the journal (kind 2): the outcome of the request entry at
 * {@code requestPosition}, sitting at {@code position}. Readers attach it to its entry and never hand it out.
 */
record OutcomeRecord(long position, long requestPosition, Outcome outcome) {
}
