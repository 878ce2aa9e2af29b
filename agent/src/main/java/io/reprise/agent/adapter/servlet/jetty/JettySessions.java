package io.reprise.agent.adapter.servlet.jetty;

import static io.reprise.agent.adapter.servlet.Reflect.call;

import io.reprise.agent.adapter.servlet.SessionRecords;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EventListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Jetty 12's sessions for {@link SessionRecords}: every session manager of the connector's server (the servlet
 * {@code SessionHandler} of each context, ee10 or ee11), found when the connector starts, with the session listener
 * added to its listeners and its {@code SessionCache} as the {@link SessionRecords.Store}. Sessions are made with
 * their ids the way {@code AbstractSessionManager.newSession} makes them, without the listeners. Only the default,
 * in-memory {@code DefaultSessionCache} is supported: a context with another cache (sessions kept in a database by
 * Jetty itself) is left as it is, with one warning. Reflective, since Jetty's classes are the application's.
 */
public final class JettySessions {

    private JettySessions() {
    }

    /**
     * Registers the session managers of {@code connector}'s server that are not registered yet.
     *
     * @param listenerFor makes the session listener for the servlet API of a class loader and a key; null when it cannot
     * @param unsupported told of a context whose sessions are left alone, and why
     */
    public static void register(Object connector, SessionRecords records,
                               BiFunction<ClassLoader, String, Object> listenerFor,
                               java.util.function.Consumer<String> unsupported) throws ReflectiveOperationException {
        Object server = call(connector, "getServer");
        if (server == null) {
            return;
        }
        ClassLoader loader = server.getClass().getClassLoader();
        Class<?> managerType = Class.forName("org.eclipse.jetty.session.AbstractSessionManager", false, loader);
        Class<?> managedSession = Class.forName("org.eclipse.jetty.session.ManagedSession", false, loader);
        Class<?> request = Class.forName("org.eclipse.jetty.server.Request", false, loader);
        for (Object manager : (Collection<?>) call(server, "getContainedBeans", new Class<?>[] {Class.class}, managerType)) {
            Object sessionContext = call(manager, "getSessionContext");
            if (sessionContext == null) {
                continue; // not started
            }
            String key = "jetty:" + call(sessionContext, "getVhost") + "|" + call(sessionContext, "getCanonicalContextPath");
            if (records.registered(key)) {
                continue;
            }
            Object cache = call(manager, "getSessionCache");
            Field sessions = cache == null ? null : sessionsField(cache.getClass());
            if (sessions == null) {
                unsupported.accept(key + " keeps its sessions in " + (cache == null ? "no cache" : cache.getClass().getName())
                        + ", not Jetty's in-memory DefaultSessionCache");
                continue;
            }
            Object listener = listenerFor.apply(manager.getClass().getClassLoader(), key);
            if (listener == null) {
                continue;
            }
            call(manager, "addEventListener", new Class<?>[] {EventListener.class}, listener);
            records.register(new Store(key, manager, cache, sessions, managedSession, request));
        }
    }

    /** {@code DefaultSessionCache._sessions}, the map of every session in memory; null for another cache. */
    private static Field sessionsField(Class<?> cacheType) {
        for (Class<?> c = cacheType; c != null; c = c.getSuperclass()) {
            if (c.getName().equals("org.eclipse.jetty.session.DefaultSessionCache")) {
                try {
                    Field f = c.getDeclaredField("_sessions");
                    f.setAccessible(true);
                    return f;
                } catch (ReflectiveOperationException | RuntimeException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** One session manager. Sessions are handed around as their servlet API view ({@code ManagedSession.getApi()}). */
    private static final class Store implements SessionRecords.Store {
        private final String key;
        private final Object manager;
        private final Object cache;
        private final Field sessions;
        private final Class<?> managedSession;
        private final Class<?> request;
        private final AtomicLong counter;

        Store(String key, Object manager, Object cache, Field sessions, Class<?> managedSession, Class<?> request) {
            this.key = key;
            this.manager = manager;
            this.cache = cache;
            this.sessions = sessions;
            this.managedSession = managedSession;
            this.request = request;
            this.counter = counter(manager);
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public ClassLoader classLoader() {
            try {
                Object context = call(manager, "getContext");
                Object loader = context == null ? null : call(context, "getClassLoader");
                if (loader instanceof ClassLoader l) {
                    return l;
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // the manager's own, below
            }
            return manager.getClass().getClassLoader();
        }

        @Override
        public Object find(String id) throws Exception {
            Object session = call(manager, "getManagedSession", new Class<?>[] {String.class}, id);
            if (session == null) {
                return null;
            }
            call(manager, "complete", new Class<?>[] {managedSession}, session); // getManagedSession counted a use
            return call(session, "getApi");
        }

        @Override
        public Object create(String id, long creationTime, int maxInactiveSeconds) throws Exception {
            Object ids = call(manager, "getSessionIdManager");
            Object session = call(cache, "newSession", new Class<?>[] {String.class, long.class, long.class}, id,
                    creationTime, maxInactiveSeconds > 0 ? maxInactiveSeconds * 1000L : -1L);
            call(session, "setExtendedId", new Class<?>[] {String.class},
                    call(ids, "getExtendedId", new Class<?>[] {String.class, request}, id, null));
            call(call(session, "getSessionData"), "setLastNode", new Class<?>[] {String.class}, call(ids, "getWorkerName"));
            call(cache, "add", new Class<?>[] {String.class, managedSession}, id, session);
            // Accessed now, else its idle time counts from its creation and its inactivity timer may end it at once.
            call(session, "access", new Class<?>[] {long.class}, System.currentTimeMillis());
            call(manager, "complete", new Class<?>[] {managedSession}, session); // add counted a use
            return call(session, "getApi");
        }

        @Override
        public void changeId(Object session, String newId) throws Exception {
            Object ids = call(manager, "getSessionIdManager");
            String oldId = (String) call(session, "getId");
            Class<?>[] idAndRequest = {String.class, request};
            call(manager, "renewSessionId", new Class<?>[] {String.class, String.class, String.class, String.class},
                    oldId, call(ids, "getExtendedId", idAndRequest, oldId, null),
                    newId, call(ids, "getExtendedId", idAndRequest, newId, null));
        }

        private Collection<?> managed() throws IllegalAccessException {
            return new ArrayList<>(((Map<?, ?>) sessions.get(cache)).values());
        }

        @Override
        public List<Object> sessions() throws Exception {
            List<Object> valid = new ArrayList<>();
            for (Object session : managed()) {
                if (Boolean.TRUE.equals(call(session, "isValid"))) {
                    valid.add(call(session, "getApi"));
                }
            }
            return valid;
        }

        @Override
        public void removeAll() throws Exception {
            for (Object id : new ArrayList<>(((Map<?, ?>) sessions.get(cache)).keySet())) {
                call(cache, "delete", new Class<?>[] {String.class}, id);
            }
        }

        @Override
        public void touch(Object session) throws Exception {
            Object managed = call(session, "getSession");
            call(managed, "access", new Class<?>[] {long.class}, System.currentTimeMillis());
        }

        @Override
        public long idState() {
            return counter == null ? 0 : counter.get();
        }

        @Override
        public void restoreIdState(long state) {
            if (counter != null) {
                counter.accumulateAndGet(state, Math::max);
            }
        }

        /** {@code DefaultSessionIdManager.COUNTER}, appended to every id Jetty makes in the process; null if absent. */
        private static AtomicLong counter(Object manager) {
            try {
                Class<?> ids = Class.forName("org.eclipse.jetty.session.DefaultSessionIdManager", false,
                        manager.getClass().getClassLoader());
                Field f = ids.getDeclaredField("COUNTER");
                f.setAccessible(true);
                return f.get(null) instanceof AtomicLong a ? a : null;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return null;
            }
        }

        @Override
        public boolean stopping() {
            try {
                return !Boolean.TRUE.equals(call(manager, "isRunning"));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }
    }
}
