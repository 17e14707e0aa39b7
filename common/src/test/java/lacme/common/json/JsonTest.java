package lacme.common.json;

import com.nimbusds.jose.util.JSONObjectUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The suite's own JSON reader and writer ({@link JsonReader}, {@link JsonWriter}) through {@link Json}. */
class JsonTest {
    @Test
    void readsEveryKindOfValueWithTheTypesCallersExpect() throws Exception {
        Map<String, Object> o = Json.parseObject(" {\"s\":\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\", \"t\":true,\"f\":false,"
                + "\"n\":null,\"i\":-42,\"big\":12345678901234567890,\"min\":-9223372036854775808,\"d\":1.5,\"e\":1e2,"
                + "\"a\":[1,\"x\",[],{}],\"o\":{\"k\":\"v\"}}\r\n");
        assertEquals("a\"b\\c/d\né\uD83D\uDE00", o.get("s"));
        assertEquals(Boolean.TRUE, o.get("t"));
        assertEquals(Boolean.FALSE, o.get("f"));
        assertTrue(o.containsKey("n"));
        assertNull(o.get("n"));
        assertEquals(-42L, o.get("i"));
        assertInstanceOf(Double.class, o.get("big"));
        assertEquals(Long.MIN_VALUE, o.get("min"));
        assertEquals(1.5, o.get("d"));
        assertEquals(100.0, o.get("e"));
        assertEquals(Arrays.asList(1L, "x", List.of(), Map.of()), o.get("a"));
        assertEquals(Map.of("k", "v"), o.get("o"));
        assertEquals(List.of("s", "t", "f", "n", "i", "big", "min", "d", "e", "a", "o"), new ArrayList<>(o.keySet()),
                "members keep their order");
    }

    /** What a lenient reader (Gson's default, as Nimbus called it) accepted and a strict one must not. */
    @ParameterizedTest
    @ValueSource(strings = {"", " ", "[]", "\"s\"", "1", "null", "{", "{}}", "{} {}", "{}x", "{,}", "{\"a\":1,}",
        "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":'b'}", "{\"a\":1 /* c */}", "{\"a\":1}// c", "{\"a\":NaN}",
        "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":+1}",
        "{\"a\":1e}", "{\"a\":1e400}", "{\"a\":tru}", "{\"a\":True}", "{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":[1 2]}",
        "{\"a\":\"x}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"\\u０１２３\"}",
        "{\"a\":\"tab\there\"}", "{\"a\":\"nl\nhere\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\ud800x\"}",
        "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"\\udc00\"}", "{\"a\":1,\"a\":1}", "{\"a\":{\"b\":1,\"b\":2}}",
        "\uFEFF{}", "{\"a\":1}\u0000", "{\u00a0}"})
    void refusesWhatIsNotStrictJson(String text) {
        ParseException e = assertThrows(ParseException.class, () -> Json.parseObject(text));
        String m = e.getMessage();
        assertTrue(m.startsWith("Invalid JSON: "), m);
        assertTrue(m.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "printable ASCII only: " + m);
        assertTrue(e.getErrorOffset() >= 0 && e.getErrorOffset() <= text.length(), m);
    }

    @Test
    void errorsSayWhatAndWhere() {
        assertEquals("Invalid JSON: duplicate member name at offset 8",
                assertThrows(ParseException.class, () -> Json.parseObject("{\"a\":1, \"a\":2}")).getMessage());
        assertEquals("Invalid JSON: unexpected U+0007 at offset 5",
                assertThrows(ParseException.class, () -> Json.parseObject("{\"a\":\u0007}")).getMessage());
        assertEquals("Invalid JSON: unterminated string at the end",
                assertThrows(ParseException.class, () -> Json.parseObject("{\"a\":\"b")).getMessage());
    }

    @Test
    void nestingIsBounded() throws Exception {
        String ok = "{\"a\":" + "[".repeat(JsonReader.MAX_DEPTH - 1) + "]".repeat(JsonReader.MAX_DEPTH - 1) + "}";
        Json.parseObject(ok);
        String deep = "{\"a\":" + "[".repeat(JsonReader.MAX_DEPTH) + "]".repeat(JsonReader.MAX_DEPTH) + "}";
        assertTrue(assertThrows(ParseException.class, () -> Json.parseObject(deep)).getMessage().contains("deeper"));
        // far deeper than a thread's stack would take, if the depth were not counted
        String hostile = "{\"a\":" + "[".repeat(1_000_000);
        assertThrows(ParseException.class, () -> Json.parseObject(hostile));
    }

    /** Fuzzer finding (crash-long-integer): Gson refused a 91-digit integer this reader took as a Double. */
    @Test
    void numberLiteralsAreBounded() throws Exception {
        assertEquals(1e63, Json.parseObject("{\"a\":1" + "0".repeat(63) + "}").get("a"));
        assertTrue(assertThrows(ParseException.class, () -> Json.parseObject("{\"a\":1" + "0".repeat(64) + "}"))
                .getMessage().contains("longer than 64"));
        assertThrows(ParseException.class, () -> Json.parseObject("{\"a\":0." + "0".repeat(70) + "1}"));
    }

    @Test
    void writesCompactJsonEscapingOnlyWhatItMust() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("s", "q\" b\\ </script> & é \u0001\t\n\r\b\f \u007f \u2028\u2029 \uD83D\uDE00");
        o.put("n", null);
        o.put("l", List.of(1, 2L, true, 1.5, Map.of()));
        assertEquals("{\"s\":\"q\\\" b\\\\ </script> & é \\u0001\\t\\n\\r\\b\\f \u007f \\u2028\\u2029 \uD83D\uDE00\","
                + "\"n\":null,\"l\":[1,2,true,1.5,{}]}", Json.write(o));
    }

    @Test
    void writesWhatNimbusWroteByteForByte() throws Exception {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("op", "result");
        o.put("chain", "-----BEGIN CERTIFICATE-----\nMIIB/+=\n-----END CERTIFICATE-----\n");
        o.put("codes", List.of(0L, -1L, Long.MAX_VALUE));
        o.put("controls", "\u0000\u001f\u0080\u009b\u202e");
        o.put("nested", Map.of("a", List.of(Map.of("b", 0.25))));
        assertEquals(JSONObjectUtils.toJSONString(o), Json.write(o));
    }

    @Test
    void writingRefusesWhatJsonCannotSay() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of("x", Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of("x", Double.POSITIVE_INFINITY)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of("x", new Object())));
    }

    @Test
    void roundTrips() throws Exception {
        String text = "{\"a\":[1,-2,3.25,\"\\u0000\\\"\",{\"b\":null}],\"c\":{}}";
        assertEquals(text, Json.write(Json.parseObject(text)));
        assertFalse(Json.write(Json.parseObject("{\"x\":\"\\u2028\"}")).contains("\u2028"));
    }
}
