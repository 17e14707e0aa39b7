package lacme.client;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates an OpenSSL cipher string (ciphers(1ssl)) — as lacme's {@code SSL_cipher_list}
 * — over the cipher suites JSSE supports, so an existing lacme.conf keeps its meaning.
 * Supported: the common aliases (kEECDH/ECDHE/EECDH, EDH/DHE, kRSA, aRSA, aECDSA, AESGCM,
 * AES, AES128/256, CHACHA20, SHA1/256/384, HIGH, MEDIUM, LOW, EXP, aNULL, eNULL, ALL,
 * DEFAULT, ...), {@code +} intersections, the {@code !}, {@code -} and {@code +} prefixes,
 * {@code @STRENGTH}, {@code @SECLEVEL=n} (ignored), OpenSSL and IANA suite names. Anything
 * else is refused. TLS 1.3 suites are kept, as OpenSSL's cipher string does not govern them.
 */
final class OpenSslCiphers {
    private static final Pattern IANA = Pattern.compile("TLS_(.+)_WITH_(.+)");

    private OpenSslCiphers() {
    }

    /** True for a TLS 1.3 suite name ({@code TLS_AES_128_GCM_SHA256}, ...). */
    static boolean isTls13(String s) {
        return s.startsWith("TLS_") && !s.contains("_WITH_");
    }

    /**
     * @param supported JSSE's supported suites (the universe)
     * @param enabled   JSSE's default suites (DEFAULT, and the TLS 1.3 ones kept)
     * @return the selected suites, TLS 1.3 defaults first
     */
    static List<String> select(String spec, List<String> supported, List<String> enabled) {
        List<String> universe = new ArrayList<>();
        for (String s : supported) {
            if (IANA.matcher(s).matches()) {
                universe.add(s);
            }
        }
        LinkedHashSet<String> list = new LinkedHashSet<>();
        Set<String> banned = new HashSet<>();
        for (String raw : spec.split("[:, ]+")) {
            String t = raw.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (t.equals("@STRENGTH")) {
                List<String> sorted = new ArrayList<>(list);
                sorted.sort((a, b) -> Integer.compare(bits(b), bits(a)));
                list = new LinkedHashSet<>(sorted);
                continue;
            }
            if (t.startsWith("@SECLEVEL=")) {
                continue;
            }
            char op = t.charAt(0);
            String expr = op == '!' || op == '-' || op == '+' ? t.substring(1) : t;
            Predicate<String> p = s -> true;
            for (String part : expr.split("\\+")) {
                Predicate<String> q = alias(part, enabled);
                if (q == null) {
                    throw new IllegalArgumentException("SSL_cipher_list: unsupported element '" + part
                            + "' (use OpenSSL aliases such as ECDHE+AESGCM, or cipher suite names)");
                }
                p = p.and(q);
            }
            List<String> matching = new ArrayList<>();
            for (String s : universe) {
                if (p.test(s)) {
                    matching.add(s);
                }
            }
            if (op == '!') {
                banned.addAll(matching);
                list.removeAll(matching);
            } else if (op == '-') {
                list.removeAll(matching);
            } else if (op == '+') {
                for (String s : matching) {
                    if (list.remove(s)) {
                        list.add(s);
                    }
                }
            } else {
                for (String s : matching) {
                    if (!banned.contains(s)) {
                        list.add(s);
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (String s : enabled) {
            if (isTls13(s)) {
                out.add(s);
            }
        }
        out.addAll(list);
        return out;
    }

    /** The predicate for one alias or suite name, or null when unknown. */
    private static Predicate<String> alias(String a, List<String> enabled) {
        String u = a.toUpperCase(Locale.ROOT);
        switch (u) {
            case "ALL": return s -> !enc(s).equals("NULL");
            case "DEFAULT": return enabled::contains;
            case "COMPLEMENTOFDEFAULT": return s -> !enabled.contains(s);
            case "COMPLEMENTOFALL": return s -> enc(s).equals("NULL");
            case "KEECDH": case "KECDHE": return s -> kx(s).equals("ECDHE");
            case "EECDH": case "ECDHE": return s -> kx(s).equals("ECDHE") && !auth(s).equals("anon");
            case "KEDH": case "KDHE": return s -> kx(s).equals("DHE");
            case "EDH": case "DHE": return s -> kx(s).equals("DHE") && !auth(s).equals("anon");
            case "KRSA": case "RSA": return s -> kx(s).equals("RSA");
            case "ARSA": return s -> auth(s).equals("RSA");
            case "AECDSA": case "ECDSA": return s -> auth(s).equals("ECDSA");
            case "ADSS": case "DSS": return s -> auth(s).equals("DSS");
            case "ANULL": return s -> auth(s).equals("anon");
            case "ENULL": case "NULL": return s -> enc(s).equals("NULL");
            case "AESGCM": return s -> enc(s).startsWith("AES") && enc(s).contains("GCM");
            case "AESCCM": return s -> enc(s).startsWith("AES") && enc(s).contains("CCM");
            case "AES": return s -> enc(s).startsWith("AES_");
            case "AES128": return s -> enc(s).startsWith("AES_128");
            case "AES256": return s -> enc(s).startsWith("AES_256");
            case "CHACHA20": return s -> enc(s).startsWith("CHACHA20");
            case "CAMELLIA": return s -> enc(s).startsWith("CAMELLIA");
            case "ARIA": return s -> enc(s).startsWith("ARIA");
            case "3DES": return s -> enc(s).startsWith("3DES");
            case "DES": return s -> enc(s).startsWith("DES");
            case "RC4": return s -> enc(s).startsWith("RC4");
            case "MD5": return s -> mac(s).equals("MD5");
            case "SHA1": case "SHA": return s -> mac(s).equals("SHA");
            case "SHA256": return s -> mac(s).equals("SHA256");
            case "SHA384": return s -> mac(s).equals("SHA384");
            case "HIGH": return s -> bits(s) >= 128;
            case "MEDIUM": return s -> bits(s) > 56 && bits(s) < 128;
            case "LOW": return s -> bits(s) > 0 && bits(s) <= 56;
            case "EXP": case "EXPORT": return s -> s.contains("EXPORT");
            case "PSK": case "KPSK": case "APSK": case "SRP": case "KSRP": case "ASRP":
            case "KECDH": case "KDH": case "AECDH": case "GOST": case "IDEA": case "SEED":
                return s -> s.contains("_" + u.replaceFirst("^[KA]", "") + "_");
            case "TLSV1.2": return s -> mac(s).equals("SHA256") || mac(s).equals("SHA384");
            case "TLSV1": case "TLSV1.0": case "SSLV3": return s -> mac(s).equals("SHA") || mac(s).equals("MD5");
            default:
                if (IANA.matcher(a).matches()) {
                    return a::equals;
                }
                if (a.matches("[A-Z0-9-]+") && a.contains("-")) {
                    return s -> a.equals(openSslName(s));
                }
                return null;
        }
    }

    /**
     * The parts of an IANA suite name {@code TLS_<kx>_<auth>_WITH_<enc>_<mac>}, e.g. ECDHE,
     * RSA, AES_128_GCM (the cipher without the MAC), SHA256. Key exchange and authentication
     * are split at the first '_', cipher and MAC at the last; a part without '_' stands for
     * both ({@code TLS_RSA_WITH_...}: kx and auth RSA). All "" for any other name.
     */
    private record Suite(String kx, String auth, String enc, String mac) {
        static Suite of(String s) {
            Matcher m = IANA.matcher(s);
            if (!m.matches()) {
                return new Suite("", "", "", "");
            }
            String k = m.group(1);
            String e = m.group(2);
            int i = k.indexOf('_');
            int j = e.lastIndexOf('_');
            return new Suite(i < 0 ? k : k.substring(0, i), k.substring(i + 1), j < 0 ? e : e.substring(0, j),
                    e.substring(j + 1));
        }
    }

    private static String kx(String s) {
        return Suite.of(s).kx();
    }

    private static String auth(String s) {
        return Suite.of(s).auth();
    }

    private static String enc(String s) {
        return Suite.of(s).enc();
    }

    private static String mac(String s) {
        return Suite.of(s).mac();
    }

    private static int bits(String s) {
        String e = enc(s);
        if (e.equals("NULL") || s.contains("EXPORT")) {
            return 0;
        }
        if (e.startsWith("AES_256") || e.startsWith("CHACHA20") || e.startsWith("CAMELLIA_256") || e.startsWith("ARIA_256")) {
            return 256;
        }
        if (e.startsWith("AES_128") || e.startsWith("CAMELLIA_128") || e.startsWith("ARIA_128")) {
            return 128;
        }
        if (e.startsWith("3DES") || e.startsWith("RC4") || e.startsWith("IDEA") || e.startsWith("SEED")) {
            return 112;
        }
        return 56;
    }

    /** OpenSSL's name of an IANA suite, e.g. ECDHE-RSA-AES128-GCM-SHA256; null when unknown. */
    static String openSslName(String iana) {
        Matcher m = IANA.matcher(iana);
        if (!m.matches()) {
            return null;
        }
        String k = m.group(1);
        String prefix;
        switch (k) {
            case "ECDHE_RSA": prefix = "ECDHE-RSA-"; break;
            case "ECDHE_ECDSA": prefix = "ECDHE-ECDSA-"; break;
            case "DHE_RSA": prefix = "DHE-RSA-"; break;
            case "DHE_DSS": prefix = "DHE-DSS-"; break;
            case "RSA": prefix = ""; break;
            default: return null;
        }
        String e = enc(iana);
        String mac = mac(iana);
        switch (e) {
            case "AES_128_GCM": return prefix + "AES128-GCM-" + mac;
            case "AES_256_GCM": return prefix + "AES256-GCM-" + mac;
            case "AES_128_CBC": return prefix + "AES128-" + mac;
            case "AES_256_CBC": return prefix + "AES256-" + mac;
            case "CHACHA20_POLY1305": return prefix + "CHACHA20-POLY1305";
            default: return null;
        }
    }
}
