package lacme.master.csr;

import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1Primitive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * An IA5String holding a setting's UTF-8 bytes as they are, which is what openssl puts in a
 * DNS/URI/e-mail name (it does not check the character set; BouncyCastle's constructor would
 * refuse or truncate non-ASCII characters).
 */
final class Ia5 {
    private Ia5() {
    }

    static ASN1IA5String of(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream der = new ByteArrayOutputStream();
        der.write(0x16);
        if (b.length < 128) {
            der.write(b.length);
        } else {
            int n = b.length;
            int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
            der.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                der.write((n >>> (8 * i)) & 0xff);
            }
        }
        der.write(b, 0, b.length);
        try {
            return ASN1IA5String.getInstance(ASN1Primitive.fromByteArray(der.toByteArray()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
