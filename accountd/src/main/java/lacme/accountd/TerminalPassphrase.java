package lacme.accountd;

import lacme.common.io.Errno;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Asks for an encrypted key's passphrase on the controlling terminal, as OpenSSL does for
 * lacme-accountd: through {@link Console} when stdin/stdout are the terminal, otherwise on
 * {@code /dev/tty} directly (in --stdio mode stdin/stdout are the protocol socket) with echo
 * turned off by {@code stty}. Without a terminal it fails with a clear message instead of
 * hanging or misreading the protocol stream.
 */
final class TerminalPassphrase implements KeyLoader.Passphrase {
    private static final File TTY = new File("/dev/tty");
    private static final int MAX = 4096;

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
        try (FileInputStream in = new FileInputStream(TTY); FileOutputStream out = new FileOutputStream(TTY)) {
            Thread restore = new Thread(() -> stty("echo"));
            boolean echoOff = stty("-echo");
            if (echoOff) {
                Runtime.getRuntime().addShutdownHook(restore);
            }
            try {
                out.write(prompt.getBytes(StandardCharsets.UTF_8));
                out.flush();
                return readLine(in, name);
            } finally {
                if (echoOff) {
                    stty("echo");
                    removeHook(restore);
                }
                out.write('\n');
            }
        } catch (IOException e) {
            throw new AccountdException(name + ": the key is encrypted and there is no terminal to ask for "
                    + "its passphrase (" + Errno.reason(e) + ")", e);
        }
    }

    private static char[] readLine(FileInputStream in, String name) throws IOException, AccountdException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (buf.size() >= MAX) {
                throw new AccountdException(name + ": passphrase too long");
            }
            buf.write(c);
        }
        byte[] b = buf.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        CharBuffer cb = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(b, 0, len));
        char[] out = Arrays.copyOf(cb.array(), cb.limit());
        Arrays.fill(b, (byte) 0);
        Arrays.fill(cb.array(), '\0');
        buf.reset();
        return out;
    }

    private static boolean stty(String arg) {
        try {
            Process p = new ProcessBuilder("stty", arg).redirectInput(TTY)
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
