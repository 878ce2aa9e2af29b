package io.reprise.agent.config;

/** A configuration value Reprise cannot accept. The message names the key, the value and what is accepted. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
