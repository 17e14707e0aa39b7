package lacme.it;

import lacme.testkit.Pebble;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the configuration tree a sysadmin would: an account key and service keys made with
 * openssl (mode 0600, owned by root when the tests run as root), lacme.conf,
 * lacme-accountd.conf and lacme-certs.conf pointing at the CA and at the distribution's
 * launchers. {@link Settings} lets a test change any lacme.conf key and the sections.
 */
final class Tree {
    private Tree() {
    }

    /** What goes into the tree; the defaults are the walking skeleton's. */
    static final class Settings {
        final String server;
        final Path tlsCa;
        final int httpPort;
        /** PEM of the CA's issuing roots (the certificates' CAfile), or null for {@code CAfile =} (no check). */
        final String issuingRoots;
        final Map<String, String> client = new LinkedHashMap<>();
        final Map<String, String> webserver = new LinkedHashMap<>();
        /** null: no [accountd] section (connect to the socket). */
        Map<String, String> accountd = new LinkedHashMap<>();
        /** Section names; "rsa" gets an RSA key, every other an EC P-256 key. */
        List<String> sections = List.of("rsa", "ec");

        Settings(String server, Path tlsCa, int httpPort, String issuingRoots) {
            this.server = server;
            this.tlsCa = tlsCa;
            this.httpPort = httpPort;
            this.issuingRoots = issuingRoots;
            boolean root = Dist.isRoot();
            client.put("user", root ? "_lacme-client" : "");
            client.put("group", root ? "nogroup" : "");
            client.put("command", Dist.client().toString());
            webserver.put("listen", "127.0.0.1:" + httpPort);
            webserver.put("user", root ? "_lacme-www" : "");
            webserver.put("group", root ? "nogroup" : "");
            webserver.put("command", Dist.webserver().toString());
            accountd.put("command", Dist.accountd().toString());
        }

        static Settings of(Pebble pebble) throws IOException {
            return new Settings(pebble.directoryUrl().toString(), pebble.caPemPath(), pebble.httpPort(),
                    pebble.issuingRootsPem());
        }
    }

    /**
     * A tree with one section ("ec") whose ACME server is a closed port (no CA needed: runs
     * fail after the children are up) and a UNIX-socket webserver; returns lacme.conf.
     */
    static Path writeWithoutCa(Path dir) throws IOException, InterruptedException {
        Settings s = new Settings("https://127.0.0.1:1/dir", dir.resolve("no-ca.pem"), 1, null);
        s.webserver.put("listen", dir.resolve("www.socket").toString());
        s.sections = List.of("ec");
        Path conf = write(dir, s);
        Files.writeString(dir.resolve("no-ca.pem"), "");
        return conf;
    }

    /** The walking skeleton's tree; returns the path of lacme.conf. */
    static Path write(Path dir, Pebble pebble) throws IOException, InterruptedException {
        return write(dir, Settings.of(pebble));
    }

    /** Returns the path of lacme.conf. */
    static Path write(Path dir, Settings s) throws IOException, InterruptedException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        key(dir, "account.key", true);
        for (String sec : s.sections) {
            key(dir, sec + ".key", sec.equals("rsa"));
        }
        Files.writeString(dir.resolve("lacme-accountd.conf"),
                "privkey = file:" + dir.resolve("account.key") + "\nquiet = Yes\n", StandardCharsets.UTF_8);
        List<String> conf = new ArrayList<>(List.of("config-certs = lacme-certs.conf", "[client]"));
        Map<String, String> client = new LinkedHashMap<>(Map.of("server", s.server, "SSL_ca_file", s.tlsCa.toString(),
                "timeout", "60"));
        client.putAll(s.client); // a test's own value replaces the default, once
        client.forEach((k, v) -> conf.add(k + " = " + v));
        conf.add("[webserver]");
        s.webserver.forEach((k, v) -> conf.add(k + " = " + v));
        if (s.accountd != null) {
            conf.add("[accountd]");
            s.accountd.forEach((k, v) -> conf.add(k + " = " + v));
            if (!s.accountd.containsKey("config")) {
                conf.add("config = " + dir.resolve("lacme-accountd.conf"));
            }
        }
        conf.add("");
        Files.writeString(dir.resolve("lacme.conf"), String.join("\n", conf), StandardCharsets.UTF_8);
        StringBuilder certs = new StringBuilder();
        if (s.issuingRoots != null) {
            Files.writeString(dir.resolve("pebble-roots.pem"), s.issuingRoots);
            certs.append("CAfile = ").append(dir.resolve("pebble-roots.pem")).append('\n');
        } else {
            certs.append("CAfile =\n");
        }
        for (String sec : s.sections) {
            certs.append("\n[").append(sec).append("]\n")
                    .append("certificate-key = ").append(dir.resolve(sec + ".key")).append('\n')
                    .append("certificate = ").append(dir.resolve(sec + ".crt")).append('\n')
                    .append("certificate-chain = ").append(dir.resolve(sec + ".chain.pem")).append('\n')
                    .append("subject = /CN=").append(sec).append(".example.test\n")
                    .append("subjectAltName = DNS:").append(sec).append(".example.test,DNS:www.")
                    .append(sec).append(".example.test\n");
        }
        Files.writeString(dir.resolve("lacme-certs.conf"), certs.toString(), StandardCharsets.UTF_8);
        return dir.resolve("lacme.conf");
    }

    private static void key(Path dir, String name, boolean rsa) throws IOException, InterruptedException {
        if (Files.exists(dir.resolve(name))) {
            return;
        }
        if (rsa) {
            Dist.openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name);
        } else {
            Dist.openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name);
        }
        Files.setPosixFilePermissions(dir.resolve(name), PosixFilePermissions.fromString("rw-------"));
    }
}
