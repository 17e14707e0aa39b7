package lacme.master;

import lacme.common.config.Specifiers;
import lacme.common.proto.Control;
import lacme.common.proto.Control.Hello;
import lacme.master.config.LacmeConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The hello built from [client]: lacme's defaults, and max-parallel and timeout checked with a one-line error. */
class ContextTest {
    @TempDir
    Path dir;

    private Hello hello(String client) throws Exception {
        Path f = Files.writeString(dir.resolve("lacme.conf"), "[client]\n" + client);
        LacmeConf conf = LacmeConf.read(f, Path.of("/usr"), false);
        var log = LoggerFactory.getLogger("test");
        return new Context(conf, Specifiers.forCurrentProcess(), log, new Cleanup(log), false, false, null).hello();
    }

    @Test
    void defaults() throws Exception {
        assertEquals(new Hello(Control.DEFAULT_SERVER, 30, true, null, null, null, false, 4), hello(""));
    }

    @Test
    void maxParallelIsAClientSetting() throws Exception {
        assertEquals(1, hello("max-parallel = 1\n").maxParallel());
        assertEquals(16, hello("max-parallel = 16\n").maxParallel());
        assertEquals(dir.resolve("lacme.conf") + ": [client] max-parallel: 17 is not in 1 … 16",
                assertThrows(Fatal.class, () -> hello("max-parallel = 17\n")).getMessage());
        assertEquals(dir.resolve("lacme.conf") + ": [client] max-parallel: not a number: four",
                assertThrows(Fatal.class, () -> hello("max-parallel = four\n")).getMessage());
    }

    @Test
    void timeoutIsChecked() throws Exception {
        assertEquals(5, hello("timeout = 5\n").timeout());
        assertEquals(dir.resolve("lacme.conf") + ": [client] timeout: -1 is not in 0 … 2147483647",
                assertThrows(Fatal.class, () -> hello("timeout = -1\n")).getMessage());
    }

    /** Issue 15: the path and the reason, not the bare path of a NoSuchFileException. */
    @Test
    void aMissingSslCaFileSaysWhy() {
        Path missing = dir.resolve("no-such-ca.pem");
        assertEquals(dir.resolve("lacme.conf") + ": [client] SSL_ca_file: " + missing + ": No such file or directory",
                assertThrows(Fatal.class, () -> hello("SSL_ca_file = " + missing + "\n")).getMessage());
    }
}
