package lacme.common.json;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.util.JSONObjectUtils;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the suite's JSON reader with arbitrary documents (decoded as UTF-8, as every caller
 * does), differentially: Nimbus' reader (Gson, lenient), which the suite used before, is the
 * reference. Contract: a parse succeeds or throws {@link ParseException} with a one-line
 * printable-ASCII message and an offset inside the text; whatever the strict reader accepts
 * the lenient one accepts too, with an equal value (same types: Long, Double, String,
 * Boolean, null, lists, maps); writing that value gives exactly Nimbus' text, and reading
 * the written text gives the value back.
 */
class JsonFuzzTest {
    @FuzzTest(maxDuration = "10s")
    @Timeout(5)
    @DictionaryEntries({"{\"", "\":", "\\u", "\\ud800\\udc00", "true", "false", "null", "1e", "-0.", "[[", "]]"})
    void parse(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        Map<String, Object> ours;
        try {
            ours = Json.parseObject(text);
        } catch (ParseException e) {
            String m = e.getMessage();
            assertTrue(m.startsWith("Invalid JSON: ") && m.chars().allMatch(c -> c >= 0x20 && c < 0x7f), m);
            assertTrue(e.getErrorOffset() >= 0 && e.getErrorOffset() <= text.length(), m);
            return;
        }
        Map<String, Object> reference = JSONObjectUtils.parse(text);
        assertEquals(reference, ours, text);
        String written = Json.write(ours);
        assertEquals(JSONObjectUtils.toJSONString(reference), written, text);
        assertEquals(ours, Json.parseObject(written), written);
    }
}
