package io.reprise.it.secure;

import java.security.Principal;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class NotesController {

    private final Notes notes;

    public NotesController(Notes notes) {
        this.notes = notes;
    }

    /** The notes, one per line, as "user: text". */
    @GetMapping(value = "/notes", produces = "text/plain")
    public String list() {
        return notes.text();
    }

    /** The CSRF token to send with writes, as a form would carry it. */
    @GetMapping(value = "/csrf", produces = "text/plain")
    public String csrf(CsrfToken token) {
        return token.getToken();
    }

    /**
     * Keeps something in the session that cannot be serialised, on a read: Reprise names it in a warning, and the
     * session comes back without it.
     */
    @GetMapping(value = "/remember", produces = "text/plain")
    public String remember(@RequestParam("what") String what, jakarta.servlet.http.HttpSession session) {
        session.setAttribute("remembered", new Remembered(what));
        return "remembered " + what;
    }

    /** Not Serializable. */
    record Remembered(String what) {
    }

    @PostMapping(value = "/notes", produces = "text/plain")
    public String add(@RequestParam("text") String text, Principal user) {
        return "note " + notes.add(user.getName() + ": " + text);
    }
}
