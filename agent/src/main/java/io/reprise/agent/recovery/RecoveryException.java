package io.reprise.agent.recovery;

/** Recovery could not bring the state back; the port stays closed. The message says where and what to do. */
public final class RecoveryException extends RuntimeException {
    public RecoveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
