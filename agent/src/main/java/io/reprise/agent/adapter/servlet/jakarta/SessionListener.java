package io.reprise.agent.adapter.servlet.jakarta;

import io.reprise.agent.adapter.servlet.SessionRecords;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;

/**
 * Tells {@link SessionRecords} every change of a web application's sessions, through the servlet API's own
 * listeners, which both Tomcat and Jetty call for whatever request (or background expiry) made the change. Never
 * throws at the container: a failure is logged by {@link SessionRecords#failed}.
 */
public final class SessionListener implements HttpSessionListener, HttpSessionAttributeListener, HttpSessionIdListener {

    private final SessionRecords records;
    private final String key;

    public SessionListener(SessionRecords records, String key) {
        this.records = records;
        this.key = key;
    }

    @Override
    public void sessionCreated(HttpSessionEvent event) {
        try {
            HttpSession session = event.getSession();
            records.created(key, session.getId(), session.getCreationTime(), session.getMaxInactiveInterval());
        } catch (RuntimeException e) {
            records.failed(key, "created", e);
        }
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent event) {
        try {
            records.destroyed(key, event.getSession());
        } catch (RuntimeException e) {
            records.failed(key, "destroyed", e);
        }
    }

    @Override
    public void attributeAdded(HttpSessionBindingEvent event) {
        try {
            records.attributeSet(key, event.getSession().getId(), event.getName(), event.getValue());
        } catch (RuntimeException e) {
            records.failed(key, "attribute " + event.getName() + " added", e);
        }
    }

    @Override
    public void attributeReplaced(HttpSessionBindingEvent event) {
        try {
            HttpSession session = event.getSession(); // the event's value is the replaced one
            records.attributeSet(key, session.getId(), event.getName(), session.getAttribute(event.getName()));
        } catch (RuntimeException e) {
            records.failed(key, "attribute " + event.getName() + " replaced", e);
        }
    }

    @Override
    public void attributeRemoved(HttpSessionBindingEvent event) {
        try {
            records.attributeRemoved(key, event.getSession().getId(), event.getName());
        } catch (RuntimeException e) {
            records.failed(key, "attribute " + event.getName() + " removed", e);
        }
    }

    @Override
    public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
        try {
            records.idChanged(key, oldSessionId, event.getSession().getId());
        } catch (RuntimeException e) {
            records.failed(key, "id changed", e);
        }
    }
}
