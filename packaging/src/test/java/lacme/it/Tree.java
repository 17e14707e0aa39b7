package lacme.it;

import lacme.testkit.Pebble;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes the configuration tree a sysadmin would: an account key and RSA/EC service keys
 * made with openssl, lacme.conf, lacme-accountd.conf and lacme-certs.conf pointing at Pebble
 * and at the distribution's launchers.
 */
final class Tree {
    private Tree() {
    }

    /** Returns the path of lacme.conf. */
    static Path write(Path dir, Pebble pebble) throws IOException, InterruptedException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Dist.openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "account.key");
        Dist.openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.key");
        Dist.openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.key");
        for (String k : new String[] {"account.key", "rsa.key", "ec.key"}) {
            Files.setPosixFilePermissions(dir.resolve(k), PosixFilePermissions.fromString("rw-------"));
        }
        Files.writeString(dir.resolve("pebble-roots.pem"), pebble.issuingRootsPem());
        boolean root = Dist.isRoot();
        String clientUser = root ? "_lacme-client" : "";
        String wwwUser = root ? "_lacme-www" : "";
        String group = root ? "nogroup" : "";
        Files.writeString(dir.resolve("lacme-accountd.conf"),
                "privkey = file:" + dir.resolve("account.key") + "\nquiet = Yes\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("lacme.conf"), String.join("\n",
                "config-certs = lacme-certs.conf",
                "[client]",
                "server = " + pebble.directoryUrl(),
                "SSL_ca_file = " + pebble.caPemPath(),
                "timeout = 60",
                "user = " + clientUser,
                "group = " + group,
                "command = " + Dist.client(),
                "[webserver]",
                "listen = 127.0.0.1:" + pebble.httpPort(),
                "user = " + wwwUser,
                "group = " + group,
                "command = " + Dist.webserver(),
                "[accountd]",
                "command = " + Dist.accountd(),
                "config = " + dir.resolve("lacme-accountd.conf"),
                ""), StandardCharsets.UTF_8);
        StringBuilder certs = new StringBuilder("CAfile = " + dir.resolve("pebble-roots.pem") + "\n");
        for (String s : new String[] {"rsa", "ec"}) {
            certs.append("\n[").append(s).append("]\n")
                    .append("certificate-key = ").append(dir.resolve(s + ".key")).append('\n')
                    .append("certificate = ").append(dir.resolve(s + ".crt")).append('\n')
                    .append("certificate-chain = ").append(dir.resolve(s + ".chain.pem")).append('\n')
                    .append("subject = /CN=").append(s).append(".example.test\n")
                    .append("subjectAltName = DNS:").append(s).append(".example.test,DNS:www.")
                    .append(s).append(".example.test\n");
        }
        Files.writeString(dir.resolve("lacme-certs.conf"), certs.toString(), StandardCharsets.UTF_8);
        return dir.resolve("lacme.conf");
    }
}
