package io.reprise.agent.adapter.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormBodyTest {

    @Test
    void queryValuesComeFirstThenBodyValuesDecodedWithTheRequestCharset() {
        Map<String, String[]> query = new LinkedHashMap<>();
        query.put("a", new String[] {"0"});
        byte[] body = "name=Zo%C3%AB+%C3%9Cnal&a=1&a=2&empty=&city=%E6%9D%B1%E4%BA%AC".getBytes(StandardCharsets.US_ASCII);

        Map<String, String[]> merged = FormBody.merge(query, body, StandardCharsets.UTF_8);

        assertThat(merged.keySet()).containsExactly("a", "name", "empty", "city");
        assertThat(merged.get("a")).containsExactly("0", "1", "2");
        assertThat(merged.get("name")).containsExactly("Zoë Ünal");
        assertThat(merged.get("empty")).containsExactly("");
        assertThat(merged.get("city")).containsExactly("東京");
    }

    @Test
    void theSameBytesDecodeByTheCharsetGiven() {
        byte[] body = "name=Ren%E9e".getBytes(StandardCharsets.US_ASCII);
        assertThat(FormBody.merge(Map.of(), body, StandardCharsets.ISO_8859_1).get("name")).containsExactly("Renée");
    }

    @Test
    void malformedPairsAreSkippedAsContainersSkipThem() {
        byte[] body = "bad=%zz&cut=%4&&=nameless&ok=1".getBytes(StandardCharsets.US_ASCII);
        Map<String, String[]> merged = FormBody.merge(Map.of(), body, StandardCharsets.UTF_8);
        assertThat(merged.keySet()).containsExactly("ok");
    }

    @Test
    void onlyUrlEncodedFormsAreForms() {
        assertThat(FormBody.isForm("application/x-www-form-urlencoded")).isTrue();
        assertThat(FormBody.isForm("Application/X-WWW-Form-Urlencoded; charset=UTF-8")).isTrue();
        assertThat(FormBody.isForm("multipart/form-data; boundary=x")).isFalse();
        assertThat(FormBody.isForm("application/json")).isFalse();
        assertThat(FormBody.isForm(null)).isFalse();
    }
}
