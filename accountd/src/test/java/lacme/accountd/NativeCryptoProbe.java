package lacme.accountd;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child-JVM probe for {@link NativeCryptoTest}: loads the key file given, prints which
 * provider signs (one line) and the signature of a fixed input (second line).
 */
public final class NativeCryptoProbe {
    private NativeCryptoProbe() { }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        AccountKey key = AccountKey.of(KeyLoader.parse(Files.readAllBytes(file), file.toString(), null), file.toString());
        System.out.println(NativeCrypto.choose().description());
        System.out.println(key.sign(NativeCryptoTest.INPUT.getBytes(StandardCharsets.US_ASCII)));
    }
}
