package io.reprise.k8s;

/** The Kubernetes support cannot do what it must; the message says what happened and what to do. */
public class KubernetesException extends RuntimeException {

    public KubernetesException(String message) {
        super(message);
    }

    public KubernetesException(String message, Throwable cause) {
        super(message, cause);
    }
}
