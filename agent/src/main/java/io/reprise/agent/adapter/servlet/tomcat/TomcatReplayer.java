package io.reprise.agent.adapter.servlet.tomcat;

import io.reprise.journal.Header;
import io.reprise.journal.JournalEntry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Replays journal entries through Tomcat itself: each entry becomes a Coyote request (what Tomcat's HTTP parser
 * would have produced: method, raw URI, query, headers, and a body read from memory) that the connector's own
 * {@code CoyoteAdapter} maps and runs through the engine's valves, the context's filters and the servlet, exactly
 * as for a request from the network. The response goes nowhere; its status is returned.
 *
 * <p>Tomcat's classes are only reachable reflectively from the agent's loader; the handles are looked up on the
 * first entry, so a start with nothing to replay costs nothing.
 */
public final class TomcatReplayer {

    private final Object connector;
    private Handles handles;

    public TomcatReplayer(Object connector) {
        this.connector = connector;
    }

    public int replay(JournalEntry entry) throws Exception {
        if (handles == null) {
            handles = new Handles(connector);
        }
        return handles.replay(entry);
    }

    private static final class Handles {

        private final Object coyoteAdapter;
        private final Class<?> requestClass;
        private final Class<?> responseClass;
        private final Class<?> inputBuffer;
        private final Class<?> outputBuffer;
        private final Method setResponse;
        private final Method method;
        private final Method requestURI;
        private final Method queryString;
        private final Method protocol;
        private final Method serverName;
        private final Method setServerPort;
        private final Method remoteAddr;
        private final Method remoteHost;
        private final Method mimeHeaders;
        private final Method addValue;
        private final Method setString;
        private final Method setBytes;
        private final Method setInputBuffer;
        private final Method setOutputBuffer;
        private final Method service;
        private final Method status;
        private final Method setByteBuffer;

        Handles(Object connector) throws ReflectiveOperationException {
            ClassLoader loader = connector.getClass().getClassLoader();
            Object protocolHandler = connector.getClass().getMethod("getProtocolHandler").invoke(connector);
            Class<?> protocolHandlerType = Class.forName("org.apache.coyote.ProtocolHandler", false, loader);
            coyoteAdapter = protocolHandlerType.getMethod("getAdapter").invoke(protocolHandler);
            if (coyoteAdapter == null) {
                throw new IllegalStateException("the connector " + connector + " has no CoyoteAdapter yet");
            }
            requestClass = Class.forName("org.apache.coyote.Request", false, loader);
            responseClass = Class.forName("org.apache.coyote.Response", false, loader);
            inputBuffer = Class.forName("org.apache.coyote.InputBuffer", false, loader);
            outputBuffer = Class.forName("org.apache.coyote.OutputBuffer", false, loader);
            Class<?> messageBytes = Class.forName("org.apache.tomcat.util.buf.MessageBytes", false, loader);
            Class<?> headers = Class.forName("org.apache.tomcat.util.http.MimeHeaders", false, loader);
            Class<?> adapterType = Class.forName("org.apache.coyote.Adapter", false, loader);
            Class<?> bufferHandler = Class.forName("org.apache.tomcat.util.net.ApplicationBufferHandler", false, loader);
            setResponse = requestClass.getMethod("setResponse", responseClass);
            method = requestClass.getMethod("method");
            requestURI = requestClass.getMethod("requestURI");
            queryString = requestClass.getMethod("queryString");
            protocol = requestClass.getMethod("protocol");
            serverName = requestClass.getMethod("serverName");
            setServerPort = requestClass.getMethod("setServerPort", int.class);
            remoteAddr = requestClass.getMethod("remoteAddr");
            remoteHost = requestClass.getMethod("remoteHost");
            mimeHeaders = requestClass.getMethod("getMimeHeaders");
            addValue = headers.getMethod("addValue", String.class);
            setString = messageBytes.getMethod("setString", String.class);
            setBytes = messageBytes.getMethod("setBytes", byte[].class, int.class, int.class);
            setInputBuffer = requestClass.getMethod("setInputBuffer", inputBuffer);
            setOutputBuffer = responseClass.getMethod("setOutputBuffer", outputBuffer);
            service = adapterType.getMethod("service", requestClass, responseClass);
            status = responseClass.getMethod("getStatus");
            setByteBuffer = bufferHandler.getMethod("setByteBuffer", ByteBuffer.class);
        }

        int replay(JournalEntry entry) throws Exception {
            Object request = requestClass.getConstructor().newInstance();
            Object response = responseClass.getConstructor().newInstance();
            setResponse.invoke(request, response);

            String target = entry.target();
            int q = target.indexOf('?');
            byte[] path = (q < 0 ? target : target.substring(0, q)).getBytes(StandardCharsets.ISO_8859_1);
            setString.invoke(method.invoke(request), entry.method());
            setBytes.invoke(requestURI.invoke(request), path, 0, path.length); // decoded and normalised by Tomcat, as live
            if (q >= 0) {
                setString.invoke(queryString.invoke(request), target.substring(q + 1));
            }
            setString.invoke(protocol.invoke(request), "HTTP/1.1");
            Object headers = mimeHeaders.invoke(request);
            for (Header h : entry.headers()) {
                setString.invoke(addValue.invoke(headers, h.name()), h.value());
                if (h.name().equalsIgnoreCase("host")) {
                    host(request, h.value());
                }
            }
            setString.invoke(remoteAddr.invoke(request), "127.0.0.1");
            setString.invoke(remoteHost.invoke(request), "localhost");
            setInputBuffer.invoke(request, Proxy.newProxyInstance(inputBuffer.getClassLoader(), new Class<?>[] {inputBuffer},
                    new BodyInput(entry.body(), setByteBuffer)));
            setOutputBuffer.invoke(response, Proxy.newProxyInstance(outputBuffer.getClassLoader(), new Class<?>[] {outputBuffer},
                    new DiscardedOutput()));
            try {
                service.invoke(coyoteAdapter, request, response);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
            return (int) status.invoke(response);
        }

        private void host(Object request, String host) throws ReflectiveOperationException {
            String name = host;
            int colon = host.lastIndexOf(':');
            if (colon > 0 && host.indexOf(']') < colon) {
                name = host.substring(0, colon);
                try {
                    setServerPort.invoke(request, Integer.parseInt(host.substring(colon + 1)));
                } catch (NumberFormatException ignored) {
                    // leave the default port
                }
            }
            setString.invoke(serverName.invoke(request), name);
        }
    }

    /** {@code org.apache.coyote.InputBuffer} over the journaled body. */
    private static final class BodyInput implements java.lang.reflect.InvocationHandler {
        private final byte[] body;
        private final Method setByteBuffer;
        private int position;

        BodyInput(byte[] body, Method setByteBuffer) {
            this.body = body;
            this.setByteBuffer = setByteBuffer;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            switch (m.getName()) {
                case "doRead" -> {
                    if (position >= body.length) {
                        return -1;
                    }
                    int n = body.length - position;
                    setByteBuffer.invoke(args[0], ByteBuffer.wrap(body, position, n).slice());
                    position += n;
                    return n;
                }
                case "available" -> {
                    return body.length - position;
                }
                default -> {
                    return ObjectMethods.invoke(proxy, m, args, "reprise replay request body");
                }
            }
        }
    }

    /** {@code org.apache.coyote.OutputBuffer} that consumes and drops the response body. */
    private static final class DiscardedOutput implements java.lang.reflect.InvocationHandler {
        private long written;

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            switch (m.getName()) {
                case "doWrite" -> {
                    ByteBuffer chunk = (ByteBuffer) args[0];
                    int n = chunk.remaining();
                    chunk.position(chunk.limit());
                    written += n;
                    return n;
                }
                case "getBytesWritten" -> {
                    return written;
                }
                default -> {
                    return ObjectMethods.invoke(proxy, m, args, "reprise replay response body");
                }
            }
        }
    }

    /** {@code equals}, {@code hashCode} and {@code toString} of a proxy; anything else is a Tomcat API change. */
    private static final class ObjectMethods {
        static Object invoke(Object proxy, Method m, Object[] args, String description) {
            return switch (m.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                case "toString" -> description;
                default -> {
                    if (m.isDefault()) {
                        throw new UnsupportedOperationException(m.toString());
                    }
                    throw new UnsupportedOperationException("reprise: " + m + " is not implemented for replay");
                }
            };
        }
    }
}
