package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The trace reader behind DurabilityIT's ordering proof, on lines cut from real traces of the counter (JDK 17 and 25). */
class FsyncOrderTest {

    static final int PORT = 18517;
    static final String CONN = "16<TCPv6:[[::ffff:127.0.0.1]:18517->[::ffff:127.0.0.1]:54938]>";
    static final String JOURNAL = "17</data/journal/20261202F.cq4>";
    static final String READ_POST = "9847  1796223603.370444 read(" + CONN + ", \"POST /counter/increment HTTP/1.1\"..., 8192) = 97";
    static final String SEND_HEADERS = "9847  1796223603.399636 write(" + CONN + ", \"HTTP/1.1 200 OK\\r\\nDate: Wed, 02 D\"..., 116) = 116";
    static final String SEND_BODY = "9847  1796223603.400315 write(" + CONN + ", \"3\", 1) = 1";

    @Test
    void acceptsAnFsyncThatReturnsBetweenTheRequestAndItsResponse() {
        FsyncOrder.Verdict v = FsyncOrder.check(List.of(
                READ_POST,
                "9784  1796223603.374077 fdatasync(" + JOURNAL + " <unfinished ...>",
                "9713  1796223603.398062 read(18</sys/fs/cgroup/memory.stat>, \"cache 25378816\\nrss 72122368\\nrss_\"..., 4096) = 853",
                "9784  1796223603.398463 <... fdatasync resumed>) = 0",
                SEND_HEADERS,
                SEND_BODY), PORT);
        assertThat(v.acknowledged()).isEqualTo(1);
        assertThat(v.violations()).isEmpty();
    }

    @Test
    void rejectsAResponseThatStartsBeforeTheFsyncReturns() {
        FsyncOrder.Verdict v = FsyncOrder.check(List.of(
                READ_POST,
                "9784  1796223603.374077 fdatasync(" + JOURNAL + " <unfinished ...>",
                SEND_HEADERS,
                "9784  1796223603.398463 <... fdatasync resumed>) = 0",
                SEND_BODY), PORT);
        assertThat(v.acknowledged()).isEqualTo(1);
        assertThat(v.violations()).singleElement().asString().startsWith("line 3:").contains("request read on line 1");
    }

    @Test
    void rejectsAResponseWhoseSplitSendStartsBeforeTheFsyncReturns() {
        FsyncOrder.Verdict v = FsyncOrder.check(List.of(
                READ_POST,
                "9784  1796223603.374077 fdatasync(" + JOURNAL + " <unfinished ...>",
                "9847  1796223603.399636 write(" + CONN + ", \"HTTP/1.1 200 OK\\r\\nDate: Wed, 02 D\"..., 116 <unfinished ...>",
                "9784  1796223603.398463 <... fdatasync resumed>) = 0",
                "9847  1796223603.399700 <... write resumed>) = 116"), PORT);
        assertThat(v.acknowledged()).isEqualTo(1);
        assertThat(v.violations()).singleElement().asString().startsWith("line 3:");
    }

    @Test
    void rejectsAnFsyncThatStartedBeforeTheRequestWasRead() {
        FsyncOrder.Verdict v = FsyncOrder.check(List.of(
                "9784  1796223603.360000 fdatasync(" + JOURNAL + " <unfinished ...>",
                READ_POST,
                "9784  1796223603.398463 <... fdatasync resumed>) = 0",
                SEND_HEADERS), PORT);
        assertThat(v.violations()).as("that fsync cannot cover an entry appended after the read").hasSize(1);
    }

    @Test
    void rejectsATraceWithoutJournalFsyncs() {
        FsyncOrder.Verdict v = FsyncOrder.check(List.of(
                READ_POST,
                "9784  1796223603.286811 fsync(18</data/journal>) = 0",
                "9784  1796223603.289978 fdatasync(" + JOURNAL + ") = -1 EIO (Input/output error)",
                SEND_HEADERS), PORT);
        assertThat(v.acknowledged()).isEqualTo(1);
        assertThat(v.violations()).as("a directory fsync and a failed one do not count").hasSize(1);
    }

    @Test
    void eachRequestOnAKeptAliveConnectionNeedsItsOwnFsync() {
        String conn = "16<TCPv6:[[::ffff:127.0.0.1]:18525->[::ffff:127.0.0.1]:53854]>";
        String read = "read(" + conn + ", \"POST /counter/increment HTTP/1.1\"..., 8192) = 97";
        String write = "write(" + conn + ", \"HTTP/1.1 200 OK\\r\\nDate: Wed, 02 D\"..., 117) = 117";
        FsyncOrder.Verdict v = FsyncOrder.check(List.of(
                "12239 1796223657.890432 " + read,
                "12221 1796223657.916736 fdatasync(" + JOURNAL + ") = 0",
                "12239 1796223657.917642 " + write,
                "12242 1796223657.919078 " + read,
                "12242 1796223657.921491 " + write,
                "12243 1796223657.922625 " + read,
                "12221 1796223657.923600 fdatasync(" + JOURNAL + ") = 0",
                "12243 1796223657.924374 " + write), 18525);
        assertThat(v.acknowledged()).isEqualTo(3);
        assertThat(v.violations()).singleElement().asString().startsWith("line 5:");
    }

    @Test
    void readOnlyRequestsAndOtherPortsAreNotAcknowledgementsOfJournaledRequests() {
        String other = "20<TCP:[127.0.0.1:9999->127.0.0.1:40000]>";
        FsyncOrder.Verdict v = FsyncOrder.check(List.of(
                "9808  1796223603.165252 read(" + CONN + ", \"GET /counter HTTP/1.1\\r\\nHost: 127\"..., 8192) = 86",
                SEND_HEADERS,
                "9900  1796223603.200000 read(" + other + ", \"POST /x HTTP/1.1\"..., 8192) = 40",
                "9900  1796223603.200100 write(" + other + ", \"HTTP/1.1 200 OK\"..., 40) = 40"), PORT);
        assertThat(v.acknowledged()).isZero();
        assertThat(v.violations()).isEmpty();
    }

    @Test
    void aRequestReadInASplitCallCounts() {
        FsyncOrder.Verdict v = FsyncOrder.check(List.of(
                "9833  1796223603.261340 read(" + CONN + ",  <unfinished ...>",
                "9832  1796223603.261374 <... read resumed>\"\", 8192) = 0",
                "9833  1796223603.262242 <... read resumed>\"POST /counter/increment HTTP/1.1\"..., 8192) = 97",
                SEND_HEADERS), PORT);
        assertThat(v.acknowledged()).isEqualTo(1);
        assertThat(v.violations()).hasSize(1);
    }

    @Test
    void readsTheDescriptorPathOfFilesAndSockets() {
        assertThat(FsyncOrder.descriptor(JOURNAL + ") = 0")).isEqualTo("/data/journal/20261202F.cq4");
        assertThat(FsyncOrder.descriptor(CONN + ", \"x\", 1) = 1")).isEqualTo("TCPv6:[[::ffff:127.0.0.1]:18517->[::ffff:127.0.0.1]:54938]");
        assertThat(FsyncOrder.descriptor("0x7f00, 4096) = 0")).isNull();
    }
}
