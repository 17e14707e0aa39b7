package lacme.master.csr;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERNumericString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code subject} setting, read as {@code openssl req -subj} reads it (lacme passes it there
 * unchanged): {@code /type=value/type=value+type=value...}; a backslash escapes the next
 * character; an unescaped {@code +} adds an attribute to the same (multi-valued) RDN; a lone
 * {@code /} is the empty name. Types are matched case-sensitively against openssl's short and
 * long names or their dotted OID; an unknown type or an empty value is skipped with a warning,
 * as openssl does. Values are encoded with openssl's string table (countryName a 2-character
 * PrintableString, emailAddress and domainComponent IA5String, serialNumber PrintableString,
 * commonName at most 64 characters, everything else UTF8String).
 * <p>
 * Deliberate difference: lacme runs openssl without {@code -utf8}, so non-ASCII bytes become
 * Latin-1 characters re-encoded as UTF-8 (mojibake); here they are encoded as what they are.
 */
final class SubjectParser {
    private static final int PRINTABLE = 1;
    private static final int IA5 = 2;
    private static final int NUMERIC = 3;
    private static final int UTF8 = 4;

    /** One attribute type openssl knows: names, OID and its ASN1_STRING_TABLE entry. */
    private record Type(String sn, String ln, String oid, int min, int max, int string) {
    }

    private static final Map<String, Type> BY_NAME = new HashMap<>();

    private static void type(String sn, String ln, String oid, int min, int max, int string) {
        Type t = new Type(sn, ln, oid, min, max, string);
        BY_NAME.put(oid, t);
        if (sn != null) {
            BY_NAME.put(sn, t);
        }
        BY_NAME.put(ln, t);
    }

    static {
        type("CN", "commonName", "2.5.4.3", 1, 64, UTF8);
        type("C", "countryName", "2.5.4.6", 2, 2, PRINTABLE);
        type("L", "localityName", "2.5.4.7", 1, 128, UTF8);
        type("ST", "stateOrProvinceName", "2.5.4.8", 1, 128, UTF8);
        type("street", "streetAddress", "2.5.4.9", -1, -1, UTF8);
        type("O", "organizationName", "2.5.4.10", 1, 64, UTF8);
        type("OU", "organizationalUnitName", "2.5.4.11", 1, 64, UTF8);
        type("title", "title", "2.5.4.12", -1, -1, UTF8);
        type(null, "description", "2.5.4.13", -1, -1, UTF8);
        type(null, "businessCategory", "2.5.4.15", -1, -1, UTF8);
        type(null, "postalCode", "2.5.4.17", -1, -1, UTF8);
        type(null, "postOfficeBox", "2.5.4.18", -1, -1, UTF8);
        type("name", "name", "2.5.4.41", 1, 32768, UTF8);
        type("SN", "surname", "2.5.4.4", 1, 32768, UTF8);
        type("serialNumber", "serialNumber", "2.5.4.5", 1, 64, PRINTABLE);
        type("GN", "givenName", "2.5.4.42", 1, 32768, UTF8);
        type("initials", "initials", "2.5.4.43", 1, 32768, UTF8);
        type(null, "generationQualifier", "2.5.4.44", -1, -1, UTF8);
        type(null, "x500UniqueIdentifier", "2.5.4.45", -1, -1, UTF8);
        type("dnQualifier", "dnQualifier", "2.5.4.46", -1, -1, PRINTABLE);
        type(null, "pseudonym", "2.5.4.65", -1, -1, UTF8);
        type("role", "role", "2.5.4.72", -1, -1, UTF8);
        type("organizationIdentifier", "organizationIdentifier", "2.5.4.97", -1, -1, UTF8);
        type("jurisdictionL", "jurisdictionLocalityName", "1.3.6.1.4.1.311.60.2.1.1", -1, -1, UTF8);
        type("jurisdictionST", "jurisdictionStateOrProvinceName", "1.3.6.1.4.1.311.60.2.1.2", -1, -1, UTF8);
        type("jurisdictionC", "jurisdictionCountryName", "1.3.6.1.4.1.311.60.2.1.3", 2, 2, PRINTABLE);
        type("emailAddress", "emailAddress", "1.2.840.113549.1.9.1", 1, 128, IA5);
        type("unstructuredName", "unstructuredName", "1.2.840.113549.1.9.2", 1, -1, UTF8);
        type("unstructuredAddress", "unstructuredAddress", "1.2.840.113549.1.9.8", 1, -1, UTF8);
        type("DC", "domainComponent", "0.9.2342.19200300.100.1.25", 1, -1, IA5);
        type("UID", "userId", "0.9.2342.19200300.100.1.1", -1, -1, UTF8);
    }

    private SubjectParser() {
    }

    /** Parses; {@code warn} receives openssl's "skipping" warnings. */
    static X500Name parse(String subject, Consumer<String> warn) throws CsrException {
        if (!subject.startsWith("/")) {
            throw new CsrException("subject: '" + subject + "' is not in the form /type0=value0/type1=value1/...");
        }
        List<List<AttributeTypeAndValue>> rdns = new ArrayList<>();
        int i = 1;
        boolean nextIsMulti = false;
        while (i < subject.length()) {
            boolean isMulti = nextIsMulti;
            nextIsMulti = false;
            int eq = subject.indexOf('=', i);
            if (eq < 0) {
                throw new CsrException("subject: missing '=' after RDN type string '" + subject.substring(i) + "'");
            }
            String type = subject.substring(i, eq);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            for (; i < subject.length() && subject.charAt(i) != '/'; i++) {
                char c = subject.charAt(i);
                if (c == '+') {
                    nextIsMulti = true;
                    break;
                }
                if (c == '\\') {
                    if (++i >= subject.length()) {
                        throw new CsrException("subject: escape character at end of string");
                    }
                    c = subject.charAt(i);
                }
                value.append(c);
            }
            if (i < subject.length()) {
                i++; // past the '/' or '+'
            }
            Type t = BY_NAME.get(type);
            if (t == null) {
                warn.accept("Skipping unknown subject name attribute \"" + type + "\"");
                continue;
            }
            if (value.length() == 0) {
                warn.accept("No value provided for subject name attribute \"" + type + "\", skipped");
                continue;
            }
            AttributeTypeAndValue atv = new AttributeTypeAndValue(new ASN1ObjectIdentifier(t.oid()),
                    encode(t, type, value.toString()));
            if (isMulti && !rdns.isEmpty()) {
                rdns.get(rdns.size() - 1).add(atv);
            } else {
                List<AttributeTypeAndValue> rdn = new ArrayList<>();
                rdn.add(atv);
                rdns.add(rdn);
            }
        }
        RDN[] out = new RDN[rdns.size()];
        for (int k = 0; k < out.length; k++) {
            List<AttributeTypeAndValue> l = rdns.get(k);
            out[k] = l.size() == 1 ? new RDN(l.get(0)) : new RDN(l.toArray(new AttributeTypeAndValue[0]));
        }
        return new X500Name(out);
    }

    private static ASN1Encodable encode(Type t, String type, String v) throws CsrException {
        int n = v.codePointCount(0, v.length());
        if (t.min() > 0 && n < t.min()) {
            throw new CsrException("subject: value of " + type + " is too short (at least " + t.min() + ")");
        }
        if (t.max() > 0 && n > t.max()) {
            throw new CsrException("subject: value of " + type + " is too long (at most " + t.max() + ")");
        }
        switch (t.string()) {
            case PRINTABLE:
                if (!DERPrintableString.isPrintableString(v)) {
                    throw new CsrException("subject: illegal characters in " + type + " (PrintableString)");
                }
                return new DERPrintableString(v);
            case IA5:
                if (!DERIA5String.isIA5String(v)) {
                    throw new CsrException("subject: illegal characters in " + type + " (IA5String)");
                }
                return new DERIA5String(v);
            case NUMERIC:
                return new DERNumericString(v, true);
            default:
                return new DERUTF8String(v);
        }
    }
}
