package io.reprise.agent.adapter.servlet;

/** The rest of the container's pipeline from the instrumented entry on, run with the request and response given. */
@FunctionalInterface
public interface Proceed {
    void run(Object request, Object response) throws Exception;
}
