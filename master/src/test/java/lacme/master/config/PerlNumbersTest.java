package lacme.master.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration numbers as Perl reads them (min-days); the decision itself: RenewalPlannerTest. */
class PerlNumbersTest {
    @Test
    void numifyTakesTheLeadingNumberAsPerlDoes() {
        assertEquals(0, PerlNumbers.numify("abc"));
        assertEquals(0, PerlNumbers.numify(""));
        assertEquals(30, PerlNumbers.numify("30days"));
        assertEquals(100, PerlNumbers.numify(" 1e2"));
        assertEquals(10.5, PerlNumbers.numify("10.5"));
        assertEquals(0, PerlNumbers.numify("0x20"), "no hex");
        assertEquals(-0.5, PerlNumbers.numify("-.5x"));
        assertEquals(Double.POSITIVE_INFINITY, PerlNumbers.numify("inf"));
        assertEquals(Double.NEGATIVE_INFINITY, PerlNumbers.numify("-Infinity"));
        assertTrue(Double.isNaN(PerlNumbers.numify("NaN")));
    }

    @Test
    void isNumericIsLooksLikeNumber() {
        assertTrue(PerlNumbers.isNumeric(" 12 "));
        assertTrue(PerlNumbers.isNumeric("-1"));
        assertTrue(PerlNumbers.isNumeric("1e2"));
        assertTrue(PerlNumbers.isNumeric("inf"));
        assertFalse(PerlNumbers.isNumeric("12a"));
        assertFalse(PerlNumbers.isNumeric("soon"));
        assertFalse(PerlNumbers.isNumeric(""));
        assertFalse(PerlNumbers.isNumeric("0x20"));
    }
}
