package io.reprise.it.secure;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/** The notes, in memory. */
@Component
public class Notes {

    private final List<String> notes = new ArrayList<>();

    synchronized int add(String note) {
        notes.add(note);
        return notes.size();
    }

    synchronized String text() {
        StringBuilder s = new StringBuilder();
        for (String note : notes) {
            s.append(note).append('\n');
        }
        return s.toString();
    }

    synchronized void save(OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        out.writeInt(notes.size());
        for (String note : notes) {
            out.writeUTF(note);
        }
        out.flush();
    }

    synchronized void restore(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        notes.clear();
        for (int i = in.readInt(); i > 0; i--) {
            notes.add(in.readUTF());
        }
    }
}
