package io.reprise.it.notes;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

interface Notes extends JpaRepository<Note, UUID> {
}
