package io.reprise.journal;

/** STUB for compiling the agent side; replaced by the real class from work/outcomes. */
public final class Outcome {
    public static final int NO_STATUS = -1;
    private final int status; private final boolean threw; private final String cls; private final String msg; private final long digest;
    private Outcome(int status, boolean threw, String cls, String msg, long digest) {
        this.status = status; this.threw = threw; this.cls = cls; this.msg = msg; this.digest = digest;
    }
    public static Outcome answered(int status, long bodyDigest) { return new Outcome(status, false, null, null, bodyDigest); }
    public static Outcome threw(String exceptionClass, String message) { return new Outcome(NO_STATUS, true, exceptionClass, message, 0); }
    public int status() { return status; }
    public boolean threw() { return threw; }
    public String exceptionClass() { return cls; }
    public String message() { return msg; }
    public long bodyDigest() { return digest; }
    public byte[] recorded() { return new byte[0]; }
    public static long digest(byte[] body, int offset, int length) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C(); c.update(body, offset, length); return (c.getValue() << 32) | (length & 0xFFFFFFFFL);
    }
    public boolean sameAs(Outcome r, boolean compareBody) {
        if (threw || r.threw) return threw && r.threw && cls.equals(r.cls);
        return status == r.status && (!compareBody || digest == r.digest);
    }
    public String describe() { return threw ? "threw " + cls + (msg == null ? "" : ": " + msg) : "status " + status; }
}
