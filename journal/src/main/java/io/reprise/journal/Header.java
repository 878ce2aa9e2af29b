package io.reprise.journal;

import java.util.Objects;

/**
 * One request header, as received. A request's headers are kept as a list, so their order and any
 * repeated names are preserved exactly.
 *
 * @param name  the header name, as sent (not case-normalised)
 * @param value the header value
 */
public record Header(String name, String value) {

    public Header {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
