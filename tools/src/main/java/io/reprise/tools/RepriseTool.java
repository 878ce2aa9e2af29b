package io.reprise.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code java -jar reprise-tools.jar <command> <data dir>}: look into, check and repair a Reprise data
 * directory ({@code journal/}, {@code snapshots/}, {@code reprise.lock}).
 *
 * <p>Exit status: {@value #OK} when all is well, {@value #PROBLEM} when a check found a problem or a
 * command could not do what was asked, {@value #USAGE} for a command line it does not understand, and
 * {@value #IN_USE} when the data directory is locked by a running service.
 *
 * <p>Only {@code truncate} writes anything; {@code summary}, {@code verify} and {@code dump} open the
 * journal read-only and can look at the directory of a running service.
 */
@Command(name = "reprise-tools", mixinStandardHelpOptions = true, versionProvider = RepriseTool.Version.class,
        description = "Inspect, verify and repair a Reprise data directory.",
        subcommands = {SummaryCommand.class, VerifyCommand.class, DumpCommand.class, TruncateCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:all is well", "1:a problem was found, or the command could not do what was asked",
                "2:the command line is not understood", "3:the data directory is in use by a running service"})
public final class RepriseTool implements java.util.concurrent.Callable<Integer> {

    static final int OK = 0;
    static final int PROBLEM = 1;
    static final int USAGE = 2;
    static final int IN_USE = 3;

    /** Kept so the levels set here are not lost when java.util.logging drops unreferenced loggers. */
    private static final Logger[] QUIETED = {Logger.getLogger("net.openhft"), Logger.getLogger("io.reprise")};

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int relaunched = Relaunch.ifNeeded(args);
        System.exit(relaunched >= 0 ? relaunched : run(args));
    }

    /** Runs the tool and returns its exit status (tests call this directly). */
    static int run(String... args) {
        // Chronicle's banner and analytics off before any Chronicle class loads; the journal also does this.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        // The libraries' own log lines (Chronicle's INFO chatter, the journal's warnings) would repeat
        // what the commands print themselves, in a worse format.
        for (Logger logger : QUIETED) {
            logger.setLevel(Level.SEVERE);
        }
        return new CommandLine(new RepriseTool()).setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? USAGE : PROBLEM).execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("reprise-tools: name a command: summary, verify, dump or truncate.");
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = RepriseTool.class.getPackage().getImplementationVersion();
            return new String[] {"reprise-tools " + (version == null ? "(development build)" : version)};
        }
    }
}
