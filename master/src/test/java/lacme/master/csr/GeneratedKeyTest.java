package lacme.master.csr;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keys from thin air: generated once, 0600, never over an existing file or link. */
class GeneratedKeyTest {
    @TempDir
    Path tmp;
    final List<String> said = new ArrayList<>();

    @Test
    void generatesOnceWithMode0600AndReadsItAfterwards() throws Exception {
        Path f = tmp.resolve("key.pem");
        KeyPair kp = GeneratedKey.readOrCreate(f, "ec:p384", said::add);
        assertEquals(384, ((ECPublicKey) kp.getPublic()).getParams().getCurve().getField().getFieldSize());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(Files.getOwner(tmp), Files.getOwner(f));
        assertEquals(List.of("Generated a ec:p384 key in " + f), said);
        byte[] first = Files.readAllBytes(f);
        KeyPair again = GeneratedKey.readOrCreate(f, "rsa:2048", said::add);
        assertArrayEquals(first, Files.readAllBytes(f), "an existing key is never replaced");
        assertArrayEquals(kp.getPrivate().getEncoded(), again.getPrivate().getEncoded());
        assertEquals(1, said.size());
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(f), s.toList(), "no temporary file left");
        }
    }

    @Test
    void rsaSizes() throws Exception {
        KeyPair kp = GeneratedKey.readOrCreate(tmp.resolve("rsa"), "rsa:3072", said::add);
        assertEquals(3072, ((RSAPublicKey) kp.getPublic()).getModulus().bitLength());
    }

    @Test
    void danglingLinkIsNeitherFollowedNorReplaced() throws Exception {
        Path target = tmp.resolve("elsewhere");
        Path f = Files.createSymbolicLink(tmp.resolve("key.pem"), target);
        assertThrows(IOException.class, () -> GeneratedKey.readOrCreate(f, "ec:p256", said::add));
        assertTrue(Files.isSymbolicLink(f));
        assertTrue(!Files.exists(target, LinkOption.NOFOLLOW_LINKS), "nothing written through the link");
    }

    @Test
    void withoutTypeAMissingKeyIsAnErrorAndABadTypeIsNamed() {
        Path f = tmp.resolve("missing.pem");
        assertEquals(f + ": No such file or directory",
                assertThrows(IOException.class, () -> GeneratedKey.readOrCreate(f, null, said::add)).getMessage());
        assertEquals("certificate-key-type: invalid value 'rsa:1024' (expected one of rsa:2048, rsa:3072, rsa:4096, "
                + "ec:p256, ec:p384)",
                assertThrows(IOException.class, () -> GeneratedKey.readOrCreate(f, "rsa:1024", said::add)).getMessage());
        assertTrue(!Files.exists(f));
    }
}
