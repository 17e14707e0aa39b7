package lacme.client.acme;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The dns-01 records of one order (RFC 8555 §8.4): {@code _acme-challenge.} plus the
 * authorization's domain (a wildcard's base domain) with the base64url SHA-256 of the key
 * authorization, published through the master before the challenge is answered, and removed
 * — all the ones this order published, whatever the outcome — when the order ends.
 */
final class DnsChallenges implements AutoCloseable {
    private final TxtRecords records;
    private final List<String[]> published = new ArrayList<>();

    DnsChallenges(TxtRecords records) {
        this.records = records;
    }

    /** The TXT record name for a DNS identifier of an authorization (already without {@code *.}). */
    static String recordName(AcmeClient.Identifier id) throws AcmeException {
        try { // the CA's identifier: a DNS name, lower-cased (the check tls-alpn-01's names pass too)
            return "_acme-challenge." + ChallengeFiles.alpnName(new AcmeClient.Identifier("dns",
                    id.value() == null ? null : id.value().replaceFirst("^\\*\\.", "")));
        } catch (AcmeException e) {
            throw new AcmeException("no dns-01 record name for identifier " + id);
        }
    }

    /** The TXT value: base64url(SHA-256(key authorization)), no padding. */
    static String digest(String keyAuthorization) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(keyAuthorization.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes the record for {@code id}; returns when the master has it done. */
    void publish(AcmeClient.Identifier id, String keyAuthorization, Poller budget)
            throws AcmeException, InterruptedException {
        if (!"dns".equals(id.type())) {
            throw new AcmeException("dns-01 cannot prove identifier " + id);
        }
        String name = recordName(id);
        String value = digest(keyAuthorization);
        synchronized (published) {
            published.add(new String[] {name, value}); // removed even if the master's answer never comes
        }
        records.add(name, value, budget);
    }

    @Override
    public void close() {
        synchronized (published) {
            for (String[] r : published) {
                records.remove(r[0], r[1]);
            }
            published.clear();
        }
    }
}
