package io.reprise.it.secure;

import io.reprise.snapshot.SnapshotProvider;
import io.reprise.snapshot.SnapshotProviders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.springframework.stereotype.Component;

@Component
public class NotesSnapshots implements SnapshotProvider {

    private final Notes notes;

    public NotesSnapshots(Notes notes) {
        this.notes = notes;
        SnapshotProviders.register(this);
    }

    @Override
    public void save(OutputStream out) throws IOException {
        notes.save(out);
    }

    @Override
    public void restore(InputStream in) throws IOException {
        notes.restore(in);
    }
}
