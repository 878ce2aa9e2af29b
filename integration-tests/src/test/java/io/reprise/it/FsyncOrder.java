package io.reprise.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an {@code strace -f -yy} trace of a server and checks, for every journaled request it answered, that an fsync
 * of a journal file (a Chronicle {@code .cq4} file) returned after the request was received and before the response
 * was sent.
 *
 * <p>The proof rests on line order, not on timestamps. strace handles one stop at a time and writes its lines in that
 * order; a traced thread stopped at a syscall's entry does not run the syscall until strace has handled that stop. So
 * when the line that shows an fsync's return comes before the line where a response's {@code write} starts, the fsync
 * had returned before a byte of the response left. With {@code -f}, a call that another thread's event interrupts is
 * split into {@code name(args <unfinished ...>} and, later, {@code <... name resumed>rest}: the call starts at the
 * first line and returns at the second.
 *
 * <p>What a trace cannot show: Chronicle appends through a memory mapping, which makes no syscall, so "after the entry
 * was appended" is checked as "started after the request's bytes were read". An fsync that started after that read
 * and returned before the response is the one the request waited for.
 */
final class FsyncOrder {

    /** How many journaled requests were answered, and each answer that no journal fsync preceded. */
    record Verdict(int acknowledged, List<String> violations) {
    }

    private static final Set<String> RECEIVE = Set.of("read", "readv", "recvfrom", "recvmsg");
    private static final Set<String> SEND = Set.of("write", "writev", "sendto", "sendmsg");
    private static final Set<String> FSYNC = Set.of("fsync", "fdatasync");
    private static final Set<String> JOURNALED = Set.of("POST", "PUT", "PATCH", "DELETE");

    /** {@code PID [TIMESTAMP] rest}. */
    private static final Pattern LINE = Pattern.compile("^(\\d+)\\s+(?:\\d+(?:\\.\\d+)?\\s+)?(.*)$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. (\\w+) resumed>(.*)$");
    private static final Pattern CALL = Pattern.compile("^(\\w+)\\((.*)$");
    private static final Pattern RESULT = Pattern.compile("\\)\\s+=\\s+(-?\\d+)");
    /** The local port of a TCP socket as {@code -yy} prints it: {@code TCP:[127.0.0.1:P->...]} or {@code TCPv6:[[::1]:P->...]}. */
    private static final Pattern TCP_LOCAL_PORT = Pattern.compile("^TCP(?:v6)?:\\[(?:\\[[^\\]]*\\]|[^:\\[\\]]+):(\\d+)->");
    private static final String UNFINISHED = "<unfinished ...>";

    private FsyncOrder() {
    }

    /** Checks {@code trace} (strace {@code -f -yy} lines, {@code -ttt} optional) for the server listening on {@code port}. */
    static Verdict check(List<String> trace, int port) {
        Map<String, String> unfinished = new HashMap<>(); // pid -> the start of its split call
        Map<String, Integer> unfinishedAt = new HashMap<>(); // pid -> line number where that call started
        Map<String, Integer> awaiting = new HashMap<>(); // connection -> line where its journaled request was read
        Map<String, Integer> covered = new HashMap<>(); // connection -> line where a journal fsync covering it returned
        List<String> violations = new ArrayList<>();
        int acknowledged = 0;
        for (int i = 0; i < trace.size(); i++) {
            int lineNo = i + 1;
            Matcher line = LINE.matcher(trace.get(i));
            if (!line.matches()) {
                continue;
            }
            String pid = line.group(1);
            String rest = line.group(2);
            String call; // "name(args) = result" once complete
            int startedAt;
            Matcher resumed = RESUMED.matcher(rest);
            if (resumed.matches()) {
                String start = unfinished.remove(pid);
                Integer at = unfinishedAt.remove(pid);
                if (start == null) {
                    continue; // its start was not traced (or was before the trace began)
                }
                call = start + resumed.group(2);
                startedAt = at;
            } else if (rest.endsWith(UNFINISHED)) {
                String start = rest.substring(0, rest.length() - UNFINISHED.length());
                unfinished.put(pid, start);
                unfinishedAt.put(pid, lineNo);
                // A send starts here: this is the moment that must come after the fsync's return.
                Matcher m = CALL.matcher(start);
                if (m.matches() && SEND.contains(m.group(1))) {
                    acknowledged += onSend(m.group(2), port, lineNo, trace.get(i), awaiting, covered, violations);
                }
                continue;
            } else {
                call = rest;
                startedAt = lineNo;
            }
            Matcher m = CALL.matcher(call);
            if (!m.matches()) {
                continue; // signals, exits
            }
            String name = m.group(1);
            String args = m.group(2);
            long result = result(call);
            if (FSYNC.contains(name)) {
                String fd = descriptor(args);
                if (fd != null && fd.endsWith(".cq4") && result == 0) {
                    // It covers every request read before it started; it returned at this line.
                    for (Map.Entry<String, Integer> e : awaiting.entrySet()) {
                        if (e.getValue() < startedAt) {
                            covered.put(e.getKey(), lineNo);
                        }
                    }
                }
            } else if (RECEIVE.contains(name)) {
                String fd = descriptor(args);
                if (fd != null && isServerSocket(fd, port) && result > 0 && journaledRequest(args)) {
                    awaiting.put(connection(args), lineNo);
                    covered.remove(connection(args));
                }
            } else if (SEND.contains(name) && startedAt == lineNo) {
                acknowledged += onSend(args, port, lineNo, trace.get(i), awaiting, covered, violations);
            }
        }
        return new Verdict(acknowledged, List.copyOf(violations));
    }

    /** A send starts on line {@code lineNo}; returns 1 when it starts the answer to a journaled request. */
    private static int onSend(String args, int port, int lineNo, String text, Map<String, Integer> awaiting,
            Map<String, Integer> covered, List<String> violations) {
        String fd = descriptor(args);
        if (fd == null || !isServerSocket(fd, port)) {
            return 0;
        }
        String connection = connection(args);
        Integer readAt = awaiting.remove(connection);
        if (readAt == null) {
            return 0; // the rest of a response already counted, or the answer to a read-only request
        }
        Integer forcedAt = covered.remove(connection);
        if (forcedAt == null) {
            violations.add("line " + lineNo + ": the response to the request read on line " + readAt
                    + " started before any journal fsync that began after that read had returned: " + text);
        }
        return 1;
    }

    /** The path strace -y prints for the first argument, {@code 17</data/journal/x.cq4>}; null if there is none. */
    static String descriptor(String args) {
        int end = descriptorEnd(args);
        return end < 0 ? null : args.substring(args.indexOf('<') + 1, end);
    }

    /** Index of the {@code >} that closes the first argument's path ({@code ->} inside a socket's brackets does not). */
    private static int descriptorEnd(String args) {
        int lt = args.indexOf('<');
        if (lt < 1 || !args.substring(0, lt).chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int depth = 0;
        for (int i = lt + 1; i < args.length(); i++) {
            char c = args.charAt(i);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == '>' && depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The descriptor number with its path: a connection, even when a later one reuses the number. */
    private static String connection(String args) {
        return args.substring(0, args.indexOf('<')) + "<" + descriptor(args) + ">";
    }

    private static boolean isServerSocket(String descriptor, int port) {
        Matcher m = TCP_LOCAL_PORT.matcher(descriptor);
        return m.find() && Integer.parseInt(m.group(1)) == port;
    }

    /** Whether the bytes read (strace's quoted second argument) start with a journaled method. */
    private static boolean journaledRequest(String args) {
        int quote = args.indexOf('"', descriptorEnd(args));
        if (quote < 0) {
            return false;
        }
        String data = args.substring(quote + 1);
        int space = data.indexOf(' ');
        return space > 0 && JOURNALED.contains(data.substring(0, space));
    }

    private static long result(String call) {
        Matcher m = RESULT.matcher(call);
        long result = Long.MIN_VALUE;
        while (m.find()) {
            result = Long.parseLong(m.group(1));
        }
        return result;
    }
}
