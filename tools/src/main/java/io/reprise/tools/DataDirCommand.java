package io.reprise.tools;

import io.reprise.journal.JournalException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** What every command shares: the data directory argument, and errors as one line plus an exit status. */
abstract class DataDirCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DATA_DIR",
            description = "The service's data directory (its reprise.dir), holding journal/ and snapshots/.")
    Path dataDir;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        try {
            return run(DataDirectory.of(dataDir));
        } catch (ToolException e) {
            err().println("reprise-tools: " + e.getMessage());
            return e.exitStatus();
        } catch (JournalException e) {
            err().println("reprise-tools: " + e.getMessage());
            return RepriseTool.PROBLEM;
        } catch (IOException e) {
            err().println("reprise-tools: " + e);
            return RepriseTool.PROBLEM;
        } finally {
            out().flush();
            err().flush();
        }
    }

    abstract int run(DataDirectory data) throws IOException;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
