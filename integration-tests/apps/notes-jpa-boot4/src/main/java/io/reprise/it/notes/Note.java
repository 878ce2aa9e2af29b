package io.reprise.it.notes;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.CreationTimestamp;
import org.hibernate.annotations.UuidGenerator;

/** A note; Hibernate generates its id and stamps its creation time when it is persisted. */
@Entity
public class Note {

    @Id
    @GeneratedValue
    @UuidGenerator
    private UUID id;

    @Column(nullable = false, length = 1000)
    private String text;

    @CreationTimestamp
    @Column(nullable = false, updatable = false)
    private Instant created;

    protected Note() {
    }

    Note(String text) {
        this.text = text;
    }

    UUID id() {
        return id;
    }

    String text() {
        return text;
    }

    Instant created() {
        return created;
    }

    /** {@code <id> <created> <text>}. */
    String line() {
        return id + " " + created + " " + text;
    }
}
