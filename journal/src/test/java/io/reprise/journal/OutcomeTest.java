package io.reprise.journal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The value a journal keeps of what a request answered live, and how replay compares with it. */
class OutcomeTest {

    @Test
    void theDigestIsTheCrc32cOfTheBytesAboveTheirLength() {
        byte[] body = "xx{\"id\":7}yy".getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body, 2, 8);

        long digest = Outcome.digest(body, 2, 8);

        assertThat(digest >>> 32).isEqualTo(crc.getValue());
        assertThat(digest & 0xFFFF_FFFFL).isEqualTo(8);
        assertThat(Outcome.digest((int) crc.getValue(), 8)).isEqualTo(digest);
        assertThat(Outcome.digest(new byte[0], 0, 0)).as("an empty body").isZero();
        assertThat(Outcome.digest(body, 2, 8)).isNotEqualTo(Outcome.digest(body, 2, 7)).isNotEqualTo(Outcome.digest(body, 3, 8));
        assertThatThrownBy(() -> Outcome.digest(body, 10, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void sameAsComparesWhetherItThrewTheExceptionClassAndTheStatusAndTheBodyOnlyWhenAsked() {
        Outcome live = Outcome.answered(200, 0x1234_5678_0000_000CL);
        Outcome otherBody = Outcome.answered(200, 0x1234_5679_0000_000CL);
        Outcome otherStatus = Outcome.answered(201, live.bodyDigest());
        Outcome threw = Outcome.threw("java.lang.IllegalStateException", "no item 7");

        assertThat(live.sameAs(Outcome.answered(200, live.bodyDigest()), true)).isTrue();
        assertThat(live.sameAs(otherBody, false)).isTrue();
        assertThat(live.sameAs(otherBody, true)).isFalse();
        assertThat(live.sameAs(otherStatus, false)).isFalse();
        assertThat(live.sameAs(threw, false)).isFalse();
        assertThat(threw.sameAs(live, false)).isFalse();
        assertThat(threw.sameAs(Outcome.threw("java.lang.IllegalStateException", "no item 8"), true))
                .as("messages are not compared").isTrue();
        assertThat(threw.sameAs(Outcome.threw("java.util.NoSuchElementException", "no item 7"), false)).isFalse();
        assertThat(live.sameAs(live.withRecorded(new byte[]{1, 2}), true)).as("recorded values are not compared").isTrue();
        assertThat(Outcome.answered(Outcome.NO_STATUS, 0).sameAs(Outcome.answered(200, 0), false)).isFalse();
    }

    @Test
    void describeSaysStatusBodyOrException() {
        assertThat(Outcome.answered(201, 0).describe()).isEqualTo("status 201");
        assertThat(Outcome.answered(200, 0x1a2b_3c4d_0000_000CL).describe()).isEqualTo("status 200, body crc32c 1a2b3c4d (12 bytes)");
        assertThat(Outcome.answered(Outcome.NO_STATUS, 0).describe()).isEqualTo("no status sent");
        assertThat(Outcome.threw("java.lang.IllegalStateException", "no item 7").describe())
                .isEqualTo("threw java.lang.IllegalStateException: no item 7");
        assertThat(Outcome.threw("java.lang.NullPointerException", null).describe()).isEqualTo("threw java.lang.NullPointerException");
        assertThat(Outcome.answered(204, 0).withRecorded(new byte[3]).describe()).isEqualTo("status 204, 3 recorded bytes");
        assertThat(Outcome.answered(201, 0)).hasToString("Outcome[status 201]");
    }

    @Test
    void aLongMessageKeepsItsFirst1024CharsWithoutSplittingASurrogatePairAndAnEmptyOneIsNone() {
        String rocket = new String(Character.toChars(0x1F680));
        assertThat(Outcome.threw("E", "m".repeat(5000)).message()).isEqualTo("m".repeat(1024));
        assertThat(Outcome.threw("E", "m".repeat(1024)).message()).isEqualTo("m".repeat(1024));
        assertThat(Outcome.threw("E", "m".repeat(1023) + rocket + "tail").message()).isEqualTo("m".repeat(1023));
        assertThat(Outcome.threw("E", "").message()).isNull();
        assertThat(Outcome.threw("E", null).message()).isNull();
    }

    @Test
    void accessorsEqualityAndRecordedBytes() {
        Outcome threw = Outcome.threw("java.lang.IllegalStateException", "no");
        assertThat(threw.threw()).isTrue();
        assertThat(threw.status()).isEqualTo(Outcome.NO_STATUS);
        assertThat(threw.bodyDigest()).isZero();
        assertThat(threw.recorded()).isEmpty();
        Outcome answered = Outcome.answered(200, 42);
        assertThat(answered.threw()).isFalse();
        assertThat(answered.exceptionClass()).isNull();
        assertThat(answered.message()).isNull();

        byte[] values = {1, 2, 3};
        Outcome recorded = answered.withRecorded(values);
        values[0] = 9;
        assertThat(recorded.recorded()).containsExactly(1, 2, 3);
        assertThat(answered.recorded()).as("the original is unchanged").isEmpty();
        assertThat(recorded).isEqualTo(Outcome.answered(200, 42).withRecorded(new byte[]{1, 2, 3}))
                .hasSameHashCodeAs(Outcome.answered(200, 42).withRecorded(new byte[]{1, 2, 3}))
                .isNotEqualTo(answered);
        assertThat(answered.withRecorded(null).recorded()).isEmpty();
        assertThat(threw).isEqualTo(Outcome.threw("java.lang.IllegalStateException", "no"))
                .isNotEqualTo(Outcome.threw("java.lang.IllegalStateException", "yes"));
        assertThatThrownBy(() -> Outcome.answered(-2, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Outcome.threw(null, "x")).isInstanceOf(NullPointerException.class);
    }
}
