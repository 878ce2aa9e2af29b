package io.reprise.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Results are kept as JSON files in the work directory, one per step, so the report can be redrawn alone. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {
    }

    public static void write(Path file, Object value) throws IOException {
        Files.createDirectories(file.getParent());
        MAPPER.writeValue(file.toFile(), value);
    }

    /** The value in {@code file}, or null if the step did not run. */
    public static <T> T read(Path file, Class<T> type) throws IOException {
        return Files.exists(file) ? MAPPER.readValue(file.toFile(), type) : null;
    }
}
