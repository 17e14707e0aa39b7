package lacme.master.spawn;

import lacme.common.os.Contain;
import lacme.master.Cleanup;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

/**
 * Run by {@link ContainTest} under a pseudo-terminal (so this JVM has a controlling tty, as
 * root's interactive lacme has): spawns, through the master's real spawning code and
 * privilege drop, a child that tries to open /dev/tty and TIOCSTI a character into it.
 * args: session (true/false), output file.
 */
public final class ContainProbe {
    static final String ATTACK = "import fcntl,os,termios\n"
            + "try:\n fd=os.open('/dev/tty',os.O_RDWR)\nexcept OSError as e:\n print('no-tty',e.errno); raise SystemExit\n"
            + "try:\n fcntl.ioctl(fd,termios.TIOCSTI,b'#'); print('injected')\nexcept OSError as e:\n print('tiocsti-failed',e.errno)\n";

    public static void main(String[] args) throws Exception {
        Cleanup cleanup = new Cleanup(LoggerFactory.getLogger("probe"));
        Spawner spawner = new Spawner(cleanup, LoggerFactory.getLogger("probe"));
        Spawner.Child c = spawner.start("probe", PrivDrop.of("nobody", "nogroup"),
                new Contain(Boolean.parseBoolean(args[0]), false), List.of("/usr/bin/python3", "-c", ATTACK),
                Path.of("/"), ProcessBuilder.Redirect.from(new File("/dev/null")),
                ProcessBuilder.Redirect.to(new File(args[1])));
        spawner.waitFor(c, 20_000);
        cleanup.runAll();
        System.exit(0);
    }
}
