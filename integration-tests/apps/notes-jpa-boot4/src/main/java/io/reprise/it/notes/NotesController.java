package io.reprise.it.notes;

import java.util.stream.Collectors;
import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /notes} with the text as the body (201, the note's line); {@code GET /notes}: every line, oldest first. */
@RestController
class NotesController {

    private final Notes notes;

    NotesController(Notes notes) {
        this.notes = notes;
    }

    @PostMapping(path = "/notes", produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<String> create(@RequestBody String text) {
        Note saved = notes.saveAndFlush(new Note(text.trim()));
        return ResponseEntity.status(HttpStatus.CREATED).body(saved.line());
    }

    @GetMapping(path = "/notes", produces = MediaType.TEXT_PLAIN_VALUE)
    String all() {
        return notes.findAll(Sort.by("created", "id")).stream().map(Note::line).collect(Collectors.joining("\n"));
    }
}
