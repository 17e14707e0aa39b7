package lacme.accountd;

import lacme.common.io.Errno;

import java.io.Console;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Asks for an encrypted key's passphrase on the controlling terminal, as OpenSSL does for
 * lacme-accountd: through {@link Console} when stdin/stdout are the terminal, otherwise on
 * {@code /dev/tty} directly (in --stdio mode stdin/stdout are the protocol socket) with echo
 * turned off by {@code stty}. Without a terminal it fails with a clear message instead of
 * hanging or misreading the protocol stream. When echo cannot be turned off the passphrase is
 * not read at all (typed, it would show on the screen and in a terminal's scrollback), and
 * every buffer that held it is wiped once it has been decoded.
 */
final class TerminalPassphrase implements KeyLoader.Passphrase {
    private static final int MAX = 4096;
    /** Absolute: accountd may run with any PATH. */
    private static final String STTY = "/bin/stty";

    /** Turns terminal echo on or off; true when it succeeded. */
    interface Echo {
        boolean set(File tty, boolean on);
    }

    private final File tty;
    private final Echo echo;

    TerminalPassphrase() {
        this(new File("/dev/tty"), TerminalPassphrase::stty);
    }

    TerminalPassphrase(File tty, Echo echo) {
        this.tty = tty;
        this.echo = echo;
    }

    @Override
    public char[] ask(String name) throws AccountdException {
        String prompt = "Enter pass phrase for " + name + ": ";
        Console console = System.console();
        if (console != null) {
            char[] p = console.readPassword("%s", prompt);
            if (p == null) {
                throw new AccountdException(name + ": no passphrase given");
            }
            return p;
        }
        try (FileInputStream in = new FileInputStream(tty); FileOutputStream out = new FileOutputStream(tty, true)) {
            Thread restore = new Thread(() -> echo.set(tty, true));
            if (!echo.set(tty, false)) {
                throw new AccountdException(name + ": the key is encrypted and echo cannot be turned off on "
                        + tty + "; not reading its passphrase");
            }
            Runtime.getRuntime().addShutdownHook(restore);
            try {
                out.write(prompt.getBytes(StandardCharsets.UTF_8));
                out.flush();
                return readLine(in, name, new byte[MAX]);
            } finally {
                echo.set(tty, true);
                removeHook(restore);
                out.write('\n');
            }
        } catch (IOException e) {
            throw new AccountdException(name + ": the key is encrypted and there is no terminal to ask for "
                    + "its passphrase (" + Errno.reason(e) + ")", e);
        }
    }

    /**
     * Reads one line into {@code buf} (its size is the limit) and returns it decoded; {@code buf}
     * and the decoder's buffer are wiped on every path, so the passphrase stays in memory only in
     * the returned array, which the caller wipes.
     */
    static char[] readLine(InputStream in, String name, byte[] buf) throws IOException, AccountdException {
        int len = 0;
        try {
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (len >= buf.length) {
                    throw new AccountdException(name + ": passphrase too long");
                }
                buf[len++] = (byte) c;
            }
            if (len > 0 && buf[len - 1] == '\r') {
                len--;
            }
            CharBuffer cb = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(buf, 0, len));
            try {
                return Arrays.copyOf(cb.array(), cb.limit());
            } finally {
                Arrays.fill(cb.array(), '\0');
            }
        } finally {
            Arrays.fill(buf, (byte) 0);
        }
    }

    private static boolean stty(File tty, boolean on) {
        try {
            Process p = new ProcessBuilder(STTY, on ? "echo" : "-echo").redirectInput(tty)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook restores echo
        }
    }
}
