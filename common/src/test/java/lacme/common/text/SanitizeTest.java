package lacme.common.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SanitizeTest {
    @Test
    void controlsEscapesAndBidiBecomeSpacesOnOneLine() {
        assertEquals("a [31mb c d e f", Sanitize.line("a\u001b[31mb\r\nc\u009bd\u202ee\u2028f\n", 100));
        assertEquals("ok", Sanitize.line("  ok\u0000", 100));
        assertNull(Sanitize.line(null, 10));
    }

    @Test
    void lengthIsCappedWithoutSplittingASurrogatePair() {
        assertEquals("abc...", Sanitize.line("abcdef", 3));
        assertEquals("ab...", Sanitize.line("ab\uD83D\uDE00", 3));
        assertEquals("abc", Sanitize.line("abc", 3));
    }
}
