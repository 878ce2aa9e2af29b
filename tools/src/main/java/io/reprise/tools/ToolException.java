package io.reprise.tools;

/** A problem the tool reports in one line and exits on with status 1 (or the status given). */
final class ToolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitStatus;

    ToolException(String message) {
        this(message, RepriseTool.PROBLEM);
    }

    ToolException(String message, int exitStatus) {
        super(message);
        this.exitStatus = exitStatus;
    }

    int exitStatus() {
        return exitStatus;
    }
}
