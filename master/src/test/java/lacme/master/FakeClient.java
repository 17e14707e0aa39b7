package lacme.master;

import lacme.common.proto.ControlCodec;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stand-in for the client process in master tests: speaks the control channel on fd 0/1,
 * appends every frame it receives to a log file, and answers per its mode: "ok" accepts
 * everything, "fail" refuses everything, "second" refuses only the second request; "chain"
 * accepts and answers every order with the chain read from the file {@code args[2]} at that
 * moment (a hostile client replaying a certificate).
 */
public final class FakeClient {
    private FakeClient() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path log = Path.of(args[1]);
        InputStream in = new FileInputStream(FileDescriptor.in);
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        int n = 0;
        for (Map<String, Object> f; (f = ControlCodec.read(in)) != null; ) {
            Files.writeString(log, f.get("op") + " " + new java.util.TreeMap<>(f) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (ControlCodec.HELLO.equals(f.get("op")) || ControlCodec.ACCOUNTD.equals(f.get("op"))) {
                continue;
            }
            n++;
            boolean ok = mode.equals("ok") || mode.equals("chain") || mode.equals("second") && n != 2;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("op", ControlCodec.RESULT);
            r.put("id", f.get("id"));
            r.put("ok", ok);
            if (!ok) {
                r.put("error", "urn:ietf:params:acme:error:unauthorized: refused by the fake CA");
            }
            if (ControlCodec.ACCOUNT.equals(f.get("op"))) {
                r.put("account", "{\"status\":\"valid\",\"contact\":" + f.get("contacts") + "}\n");
            }
            if (mode.equals("chain") && ControlCodec.ORDER.equals(f.get("op"))) {
                r.put("chain", Files.readString(Path.of(args[2])));
            }
            ControlCodec.write(out, r);
        }
    }
}
