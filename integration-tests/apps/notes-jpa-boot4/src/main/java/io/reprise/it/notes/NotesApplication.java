package io.reprise.it.notes;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Notes kept in an in-memory H2 database through Spring Data JPA, with no Reprise code at all: the journal alone
 * rebuilds the database at each start. Hibernate makes each note's id ({@code UUID}) and its creation time.
 */
@SpringBootApplication
public class NotesApplication {

    public static void main(String[] args) {
        SpringApplication.run(NotesApplication.class, args);
    }
}
