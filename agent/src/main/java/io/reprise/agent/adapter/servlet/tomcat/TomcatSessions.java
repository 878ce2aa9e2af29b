package io.reprise.agent.adapter.servlet.tomcat;

import static io.reprise.agent.adapter.servlet.Reflect.call;

import io.reprise.agent.adapter.servlet.SessionRecords;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Tomcat's sessions for {@link SessionRecords}: every web application ({@code Context}) of the service a connector
 * belongs to, found when the connector starts (the contexts are started by then), with the session listener added to
 * the context's listeners and its {@code Manager} as the {@link SessionRecords.Store}. Tomcat 9, 10.1 and 11;
 * reflective, since Tomcat's classes are the application's.
 */
public final class TomcatSessions {

    private TomcatSessions() {
    }

    /**
     * Registers the contexts of {@code connector}'s service that are not registered yet.
     *
     * @param listenerFor makes the session listener for a context's {@code ServletContext} and key; null when it cannot
     */
    public static void register(Object connector, SessionRecords records, BiFunction<Object, String, Object> listenerFor)
            throws ReflectiveOperationException {
        Object service = call(connector, "getService");
        Object engine = service == null ? null : call(service, "getContainer");
        if (engine == null) {
            return;
        }
        for (Object host : (Object[]) call(engine, "findChildren")) {
            for (Object context : (Object[]) call(host, "findChildren")) {
                String key = "tomcat:" + call(host, "getName") + "|" + call(context, "getName");
                if (records.registered(key)) {
                    continue;
                }
                Object manager = call(context, "getManager");
                Object servletContext = call(context, "getServletContext");
                if (manager == null || servletContext == null) {
                    continue;
                }
                Object listener = listenerFor.apply(servletContext, key);
                if (listener == null) {
                    continue;
                }
                call(context, "addApplicationEventListener", new Class<?>[] {Object.class}, listener);
                Object[] lifecycle = (Object[]) call(context, "getApplicationLifecycleListeners");
                Object[] more = Arrays.copyOf(lifecycle, lifecycle.length + 1, Object[].class);
                more[lifecycle.length] = listener;
                call(context, "setApplicationLifecycleListeners", new Class<?>[] {Object[].class}, (Object) more);
                records.register(new Store(key, context, manager, servletContext));
            }
        }
    }

    /** One context's {@code Manager}. Sessions are Tomcat's {@code StandardSession}s, which are {@code HttpSession}s. */
    private static final class Store implements SessionRecords.Store {
        private final String key;
        private final Object context;
        private final Object manager;
        private final Object servletContext;
        private final Class<?> sessionType;

        Store(String key, Object context, Object manager, Object servletContext) throws ClassNotFoundException {
            this.key = key;
            this.context = context;
            this.manager = manager;
            this.servletContext = servletContext;
            this.sessionType = Class.forName("org.apache.catalina.Session", false, manager.getClass().getClassLoader());
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public ClassLoader classLoader() {
            try {
                Object loader = call(context, "getLoader");
                Object cl = loader == null ? null : call(loader, "getClassLoader");
                if (cl instanceof ClassLoader l) {
                    return l;
                }
                return (ClassLoader) call(servletContext, "getClassLoader");
            } catch (ReflectiveOperationException e) {
                return manager.getClass().getClassLoader();
            }
        }

        @Override
        public Object find(String id) throws Exception {
            return call(manager, "findSession", new Class<?>[] {String.class}, id);
        }

        @Override
        public Object create(String id, long creationTime, int maxInactiveSeconds) throws Exception {
            Object session = call(manager, "createSession", new Class<?>[] {String.class}, id);
            call(session, "setCreationTime", new Class<?>[] {long.class}, creationTime);
            call(session, "setMaxInactiveInterval", new Class<?>[] {int.class}, maxInactiveSeconds);
            touch(session); // else its last access is its creation, and Tomcat's next validity check may expire it
            return session;
        }

        @Override
        public void changeId(Object session, String newId) throws Exception {
            call(manager, "changeSessionId", new Class<?>[] {sessionType, String.class}, session, newId);
        }

        @Override
        public List<Object> sessions() throws Exception {
            List<Object> valid = new ArrayList<>();
            for (Object session : (Object[]) call(manager, "findSessions")) {
                if (Boolean.TRUE.equals(call(session, "isValid"))) {
                    valid.add(session);
                }
            }
            return valid;
        }

        @Override
        public void removeAll() throws Exception {
            for (Object session : (Object[]) call(manager, "findSessions")) {
                call(manager, "remove", new Class<?>[] {sessionType}, session);
            }
        }

        @Override
        public boolean stopping() {
            try {
                Object state = call(context, "getState"); // a LifecycleState
                return !Boolean.TRUE.equals(call(state, "isAvailable"));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }

        @Override
        public void touch(Object session) throws Exception {
            call(session, "access");
            call(session, "endAccess");
        }
    }
}
