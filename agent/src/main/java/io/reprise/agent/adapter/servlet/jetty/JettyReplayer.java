package io.reprise.agent.adapter.servlet.jetty;

import io.reprise.journal.Header;
import io.reprise.journal.JournalEntry;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Replays journal entries through Jetty itself: each entry is written as the raw HTTP/1.1 request it was into a
 * {@code LocalConnector}, Jetty's in-memory connector, so Jetty's own parser, handlers, filters and servlet process
 * it as they would a request from the network, and no port is opened. The connector uses the HTTP configuration
 * of the connector about to start; it is added on the first entry and removed when recovery is done.
 */
public final class JettyReplayer implements AutoCloseable {

    /**
     * Headers that concern the live connection, not the request (hop-by-hop): the replay's own framing replaces them.
     * An {@code Upgrade: h2c} that Jetty ignored live (no h2c configured) is refused with 400 once its
     * {@code Connection: Upgrade} is gone, so it goes too.
     */
    private static final Set<String> REPLACED = Set.of("content-length", "transfer-encoding", "expect", "connection",
            "upgrade", "http2-settings", "keep-alive");
    private static final long TIMEOUT_SECONDS = 300;

    private final Object connector;
    private Object server;
    private Object local;
    /** The replay's one connection (a {@code LocalEndPoint}), kept alive from entry to entry; null until the first. */
    private Object endPoint;
    private Method connect;
    private Method addInput;
    private Method waitForResponse;
    private Method isOpen;

    public JettyReplayer(Object connector) {
        this.connector = connector;
    }

    /** Whether the server of {@code connector} runs Jakarta EE 10 or 11 servlets, the environments hooked. */
    public static boolean supports(Object connector) {
        try {
            Object server = connector.getClass().getMethod("getServer").invoke(connector);
            ClassLoader loader = server.getClass().getClassLoader();
            Class<?> handler = Class.forName("org.eclipse.jetty.server.Handler", false, loader);
            Method beans = server.getClass().getMethod("getContainedBeans", Class.class);
            for (Object h : (Collection<?>) beans.invoke(server, handler)) {
                for (Class<?> c = h.getClass(); c != null; c = c.getSuperclass()) {
                    String name = c.getName();
                    if (name.equals("org.eclipse.jetty.ee10.servlet.ServletContextHandler")
                            || name.equals("org.eclipse.jetty.ee11.servlet.ServletContextHandler")) {
                        return true;
                    }
                }
            }
            return false;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return false; // Jetty before 12: no Handler interface, no ee10
        }
    }

    /**
     * Replays one entry on the replay's connection and returns the status Jetty answered. The connection stays open
     * for the next entry, as a client's keep-alive connection would: a new connection per entry cost Jetty an
     * acceptor hand-off and an idle-timeout task each, most of a replayed entry's time. When Jetty closed it (a
     * response with {@code Connection: close}, an error) or an entry failed, the next entry gets a new one.
     */
    public int replay(JournalEntry entry) throws Exception {
        if (local == null) {
            open();
        }
        byte[] request = rawRequest(entry);
        ByteBuffer response;
        try {
            if (endPoint == null || !(boolean) isOpen.invoke(endPoint)) {
                endPoint = connect.invoke(local);
            }
            addInput.invoke(endPoint, ByteBuffer.wrap(request));
            response = (ByteBuffer) waitForResponse.invoke(endPoint, entry.method().equals("HEAD"), TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InvocationTargetException e) {
            endPoint = null;
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
        if (response == null) {
            endPoint = null;
            throw new IllegalStateException("Jetty gave no response within " + TIMEOUT_SECONDS + " s");
        }
        return status(response);
    }

    private void open() throws ReflectiveOperationException {
        ClassLoader loader = connector.getClass().getClassLoader();
        Class<?> serverClass = Class.forName("org.eclipse.jetty.server.Server", false, loader);
        Class<?> connectorType = Class.forName("org.eclipse.jetty.server.Connector", false, loader);
        Class<?> factoryType = Class.forName("org.eclipse.jetty.server.ConnectionFactory", false, loader);
        Class<?> httpFactory = Class.forName("org.eclipse.jetty.server.HttpConnectionFactory", false, loader);
        Class<?> httpConfiguration = Class.forName("org.eclipse.jetty.server.HttpConfiguration", false, loader);
        Class<?> localConnector = Class.forName("org.eclipse.jetty.server.LocalConnector", false, loader);
        Class<?> lifeCycle = Class.forName("org.eclipse.jetty.util.component.LifeCycle", false, loader);

        server = connectorType.getMethod("getServer").invoke(connector);
        Object live = connectorType.getMethod("getConnectionFactory", Class.class).invoke(connector, httpFactory);
        Object configuration = live != null
                ? httpFactory.getMethod("getHttpConfiguration").invoke(live)
                : httpConfiguration.getConstructor().newInstance();
        Object factory = httpFactory.getConstructor(httpConfiguration).newInstance(configuration);
        local = localConnector.getConstructor(serverClass, factoryType).newInstance(server, factory);
        serverClass.getMethod("addConnector", connectorType).invoke(server, local);
        if (!(boolean) lifeCycle.getMethod("isRunning").invoke(local)) {
            lifeCycle.getMethod("start").invoke(local);
        }
        connect = localConnector.getMethod("connect");
        Class<?> localEndPoint = Class.forName("org.eclipse.jetty.server.LocalConnector$LocalEndPoint", false, loader);
        addInput = localEndPoint.getMethod("addInput", ByteBuffer.class);
        waitForResponse = localEndPoint.getMethod("waitForResponse", boolean.class, long.class, TimeUnit.class);
        isOpen = localEndPoint.getMethod("isOpen");
    }

    @Override
    public void close() {
        if (local == null) {
            return;
        }
        try {
            ClassLoader loader = connector.getClass().getClassLoader();
            Class<?> lifeCycle = Class.forName("org.eclipse.jetty.util.component.LifeCycle", false, loader);
            Class<?> connectorType = Class.forName("org.eclipse.jetty.server.Connector", false, loader);
            lifeCycle.getMethod("stop").invoke(local);
            server.getClass().getMethod("removeConnector", connectorType).invoke(server, local);
        } catch (ReflectiveOperationException e) {
            System.getLogger("io.reprise.adapter.servlet").log(System.Logger.Level.WARNING,
                    "reprise: removing Jetty's replay connector: " + e);
        } finally {
            local = null;
            endPoint = null;
        }
    }

    /**
     * The journaled request as HTTP/1.1 bytes, for a keep-alive connection: the body with its exact length (a chunked request's body was
     * journaled de-chunked), no {@code Expect: 100-continue}, which would make Jetty answer twice, and none of the
     * live connection's headers ({@link #REPLACED}).
     *
     * <p>Each string is written in the charset Jetty's parser reads it in, so that the replayed request carries the
     * very strings the live one did: the request line as UTF-8 (Jetty decodes the target's bytes as UTF-8, so a
     * live target holds any character a client sent unescaped), header names and values as ISO-8859-1 (Jetty maps
     * each header byte to one char, so live values hold only U+0000 to U+00FF). A header character above U+00FF
     * cannot have come from Jetty and cannot reach it: the entry is refused, not replayed with a substitute.
     */
    static byte[] rawRequest(JournalEntry entry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + entry.body().length);
        out.writeBytes((entry.method() + ' ' + entry.target() + " HTTP/1.1\r\n").getBytes(StandardCharsets.UTF_8));
        StringBuilder head = new StringBuilder(256);
        boolean host = false;
        for (Header h : entry.headers()) {
            String name = h.name().toLowerCase(java.util.Locale.ROOT);
            if (REPLACED.contains(name)) {
                continue;
            }
            host |= name.equals("host");
            head.append(latin1(entry, h.name())).append(": ").append(latin1(entry, h.value())).append("\r\n");
        }
        if (!host) {
            head.append("Host: localhost\r\n");
        }
        head.append("Content-Length: ").append(entry.body().length).append("\r\n\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(entry.body());
        return out.toByteArray();
    }

    private static String latin1(JournalEntry entry, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                throw new IllegalArgumentException("journal entry " + entry.position() + " (" + entry.method() + " "
                        + entry.target() + ") has a header with U+" + String.format("%04X", (int) s.charAt(i))
                        + " at index " + i + " of \"" + s + "\"; Jetty reads header bytes as ISO-8859-1, so it cannot "
                        + "receive it and this entry was not journaled by Jetty. Replay it on the server that journaled it");
            }
        }
        return s;
    }

    /** The status code of an HTTP/1.1 response: {@code HTTP/1.1 200 OK}; only the status line is decoded. */
    static int status(ByteBuffer response) {
        ByteBuffer head = response.duplicate();
        head.limit(head.position() + Math.min(head.remaining(), 80));
        String line = StandardCharsets.ISO_8859_1.decode(head).toString();
        int space = line.indexOf(' ');
        if (space < 0 || line.length() < space + 4) {
            throw new IllegalStateException("unexpected response from Jetty: " + line.substring(0, Math.min(80, line.length())));
        }
        return Integer.parseInt(line.substring(space + 1, space + 4));
    }
}
