#!/usr/bin/env python3
"""Issue-12 benchmark: our lacme and Debian's lacme 0.8.2 side by side, in one run.

Starts a private Pebble (PEBBLE_VA_NOSLEEP=1, no nonce rejection) on loopback, gives each
implementation the same kind of configuration (its own client, webserver and accountd as
[accountd] command, RSA-2048 account key, P-256 certificate keys, 10 sections of 2 names),
registers one account each, then alternates `lacme newOrder --force` (1 section, then 10),
swapping which implementation goes first on every round. Each run is measured by wait4(2)
on the lacme process: wall time, CPU time (user+system) of the whole process tree (the
master waits for its children, so their usage is included) and peak RSS of the largest
process of the tree (ru_maxrss is the maximum over the waited-for descendants). Medians and
ratios ours/Perl are printed, then the CPU and peak RSS of each program (master, client,
webserver, accountd) of `newOrder --force` of one section (the per-process breakdown), then
one `--debug` run of each with the time of every line it logged (the per-phase breakdown), then the accountd load (64 connections x 10 RSA
signatures, no think time) through accountd's AccountdBenchmarkTest against Debian's
lacme-accountd.

See bench/README.md. Standard library only; run as root (like lacme) or as a user (then
both implementations run without privilege drop).
"""
import argparse
import os
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PERL_LACME = "/usr/sbin/lacme"
PERL_ACCOUNTD = "/usr/bin/lacme-accountd"
PERL_CLIENT = "/usr/libexec/lacme/client"
SECTIONS = 10

# Per-process CPU (the breakdown by program): each program of one run is started through this
# wrapper, which forks it, forwards the signals a parent sends (the master's SIGTERM to its
# children), waits for it with wait4(2) and writes one line "name pid user sys maxrss_kib
# wrapper_user wrapper_sys" to a file of its own in LOG_DIR; it exits as the program did. Its own CPU
# (Python's start, and the shell launchers it was exec'd from) is reported apart. wait4's figures
# include the program's waited-for descendants: the master's own CPU is its figure less its
# children's and their wrappers'.
RUSAGE_WRAP = r"""#!/usr/bin/python3 -S
import os, resource, signal, sys
logdir, name, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
if name == "java":  # our launchers exec the JVM: the program is lacme.<module>.*
    name = next((a.split(".")[1] for a in argv if a.startswith("lacme.") and a.count(".") >= 2), "java")
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # Python ignores it; the program must not inherit that
    os.execv(argv[0], argv)
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
    signal.signal(s, lambda n, f: os.kill(pid, n))
_, status, ru = os.wait4(pid, 0)
me = resource.getrusage(resource.RUSAGE_SELF)
fd = os.open("%s/%s.%d.%s" % (logdir, name, pid, os.urandom(4).hex()), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
os.write(fd, ("%s %d %.3f %.3f %d %.3f %.3f\n" % (name, pid, ru.ru_utime, ru.ru_stime, ru.ru_maxrss,
                                                    me.ru_utime, me.ru_stime)).encode())
os.close(fd)
if os.WIFSIGNALED(status):
    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def die(msg):
    print("bench: " + msg, file=sys.stderr)
    sys.exit(1)


def sh(argv, cwd=None):
    r = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if r.returncode != 0:
        die("%s failed (exit %d): %s" % (" ".join(argv), r.returncode, r.stderr.strip()[-2000:]))
    return r.stdout


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def find_pebble(arg):
    for d in ([arg] if arg else []) + [os.path.join(TOP, "build/pebble/usr/bin"), "/usr/bin"]:
        p, c = os.path.join(d, "pebble"), os.path.join(d, "pebble-challtestsrv")
        if os.access(p, os.X_OK) and os.access(c, os.X_OK):
            return p, c
    die("Pebble not found: run scripts/fetch-pebble.sh (build/pebble) or give --pebble-dir")


class Pebble:
    """Pebble and pebble-challtestsrv (every name resolves to 127.0.0.1) on free loopback ports."""

    def __init__(self, work, pebble_dir):
        self.dir = os.path.join(work, "pebble")
        os.makedirs(self.dir)
        pebble, cts = find_pebble(pebble_dir)
        d = self.dir
        sh(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/CN=lacme bench TLS CA", "-days", "2", "-keyout", d + "/ca.key", "-out", d + "/tls-ca.pem"])
        sh(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/CN=localhost", "-keyout", d + "/tls-key.pem", "-out", d + "/tls.csr"])
        write(d + "/ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        sh(["openssl", "x509", "-req", "-in", d + "/tls.csr", "-CA", d + "/tls-ca.pem", "-CAkey", d + "/ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", d + "/ext", "-out", d + "/tls-cert.pem"])
        self.ca = d + "/tls-ca.pem"
        listen, mgmt, self.http_port, tls, dns, ctsm = free_ports(6)
        write(d + "/config.json", ('{"pebble": {"listenAddress": "127.0.0.1:%d", "managementListenAddress":'
                                   ' "127.0.0.1:%d", "certificate": "%s/tls-cert.pem", "privateKey": "%s/tls-key.pem",'
                                   ' "httpPort": %d, "tlsPort": %d, "ocspResponderURL": "",'
                                   ' "externalAccountBindingRequired": false}}\n')
              % (listen, mgmt, d, d, self.http_port, tls))
        helptext = subprocess.run([cts, "-h"], capture_output=True, text=True).stderr
        cargv = [cts, "-defaultIPv4", "127.0.0.1", "-defaultIPv6=",
                 ("-dnsserver" if "-dnsserver" in helptext else "-dns01") + "=127.0.0.1:%d" % dns,
                 "-management=127.0.0.1:%d" % ctsm, "-http01=", "-https01=", "-tlsalpn01="]
        if "-doh" in helptext:
            cargv.append("-doh=")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PEBBLE_")}
        env.update(PEBBLE_VA_NOSLEEP="1", PEBBLE_WFE_NONCEREJECT="0")
        self.procs = [subprocess.Popen(cargv, cwd=d, stdin=subprocess.DEVNULL,
                                       stdout=open(d + "/challtestsrv.log", "w"), stderr=subprocess.STDOUT)]
        self.procs.append(subprocess.Popen([pebble, "-config", d + "/config.json", "-dnsserver",
                                            "127.0.0.1:%d" % dns], cwd=d, env=env, stdin=subprocess.DEVNULL,
                                           stdout=open(d + "/pebble.log", "w"), stderr=subprocess.STDOUT))
        self.directory = "https://127.0.0.1:%d/dir" % listen
        ctx = ssl.create_default_context(cafile=self.ca)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.directory, context=ctx, timeout=2).read()
                self.roots = urllib.request.urlopen("https://127.0.0.1:%d/roots/0" % mgmt, context=ctx,
                                                    timeout=2).read().decode("ascii")
                break
            except OSError:
                if time.monotonic() > deadline or any(p.poll() is not None for p in self.procs):
                    self.close()
                    die("Pebble did not come up; see " + d + "/pebble.log")
                time.sleep(0.1)
        vfile = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(pebble))), "VERSION")
        self.version = open(vfile).read().strip() if os.path.exists(vfile) else pebble

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


class Impl:
    """One implementation's configuration directory, account and sections."""

    def __init__(self, name, work, pebble, lacme, accountd, client_lines, webserver_lines, wrapped=None):
        """wrapped: how the per-process run differs, {"env": {...}} (ours: a JAVA_HOME whose java
        is the wrapper) or {"accountd": cmd, "client": lines, "webserver": lines} (Perl)."""
        self.name, self.lacme, self.wrapped = name, lacme, wrapped or {}
        d = self.dir = os.path.join(work, name)
        os.makedirs(d)
        os.chmod(d, 0o755)  # the unprivileged client reads the CA files in here
        sh(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", d + "/account.key"])
        os.chmod(d + "/account.key", 0o600)
        write(d + "/lacme-accountd.conf", "privkey = file:%s/account.key\nlogfile = %s/accountd.log\nquiet = Yes\n"
              % (d, d), 0o600)
        write(d + "/pebble-roots.pem", pebble.roots)
        nodrop = [] if os.geteuid() == 0 else ["user =", "group ="]

        def conf(accountd, client_lines, webserver_lines):
            c = ["config-certs = lacme-certs.conf", "[client]", "server = " + pebble.directory, "timeout = 60"]
            c += client_lines + nodrop
            c += ["[webserver]", "listen = 127.0.0.1:%d" % pebble.http_port] + webserver_lines + nodrop
            c += ["[accountd]", "command = " + accountd, "config = %s/lacme-accountd.conf" % d]
            return "\n".join(c) + "\n"
        self.conf = write(d + "/lacme.conf", conf(accountd, client_lines, webserver_lines))
        w = self.wrapped
        self.conf_wrapped = write(d + "/lacme-wrapped.conf", conf(w.get("accountd", accountd),
                                                                    w.get("client", client_lines),
                                                                    w.get("webserver", webserver_lines)))
        certs = ["CAfile = %s/pebble-roots.pem" % d]
        self.sections = []
        for i in range(SECTIONS):
            s, dom = "s%d" % i, "s%d.%s.bench.test" % (i, name)
            sh(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", "%s/%s.key" % (d, s)])
            os.chmod("%s/%s.key" % (d, s), 0o600)
            certs += ["", "[%s]" % s, "certificate-key = %s/%s.key" % (d, s), "certificate = %s/%s.crt" % (d, s),
                      "certificate-chain = %s/%s.chain.pem" % (d, s), "subject = /CN=" + dom,
                      "subjectAltName = DNS:%s,DNS:www.%s" % (dom, dom)]
            self.sections.append(s)
        write(d + "/lacme-certs.conf", "\n".join(certs) + "\n")

    def argv(self, *args, conf=None):
        return [self.lacme, "--config=" + (conf or self.conf)] + list(args)

    def per_process(self, args, logdir):
        """One run with every program started through the wrapper: [(name, user, sys, maxrss KiB)],
        the master's own line (Perl's master is the lacme process itself: the tree less its
        wrapped children and the wrappers) and the wrappers' CPU."""
        for f in os.listdir(logdir):
            os.unlink(os.path.join(logdir, f))
        env = dict(os.environ, **self.wrapped.get("env", {}))
        p = subprocess.Popen(self.argv(*args, conf=self.conf_wrapped), cwd=self.dir, env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            die("%s: per-process run of %s failed" % (self.name, " ".join(args)))
        rows, wu, ws, master = [], 0.0, 0.0, None
        for f in sorted(os.listdir(logdir)):
            name, _, user, system, rss, wuser, wsys = open(os.path.join(logdir, f)).read().split()
            if name == "master":  # ours: the JVM under the wrapper, its figures include its children
                master = (float(user), float(system), int(rss))
            else:
                rows.append((name, float(user), float(system), int(rss)))
                wu, ws = wu + float(wuser), ws + float(wsys)
        # Perl's master is the lacme process itself: the tree (RSS: the largest, printed apart)
        mu, ms, mrss = master or (ru.ru_utime, ru.ru_stime, 0)
        rows.append(("master", mu - wu - sum(r[1] for r in rows), ms - ws - sum(r[2] for r in rows), mrss))
        wu, ws = ru.ru_utime - sum(r[1] for r in rows), ru.ru_stime - sum(r[2] for r in rows)
        order = {"master": 0, "client": 1, "webserver": 2, "accountd": 3}
        rows.sort(key=lambda r: order.get(r[0], 9))
        return rows, wu + ws, ru.ru_utime + ru.ru_stime

    def run(self, args, timeout=600):
        """Runs lacme; returns (wall s, cpu s, peak RSS KiB of the largest process); dies on failure."""
        out = open(os.path.join(self.dir, "last.out"), "w")
        err = open(os.path.join(self.dir, "last.err"), "w")
        t0 = time.monotonic()
        p = subprocess.Popen(self.argv(*args), cwd=self.dir, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.close()
        err.close()
        if p.returncode != 0:
            with open(err.name) as f:
                die("%s: %s exited %d:\n%s" % (self.name, " ".join(args), p.returncode, f.read()[-3000:]))
        return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss

    def timeline(self, args):
        """One --debug run: every stderr line with the time since the start (the per-phase breakdown)."""
        t0 = time.monotonic()
        p = subprocess.Popen(self.argv("--debug", *args), cwd=self.dir, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
        # Perl's --debug adds HTTP headers, bodies and the CSR: keep its event lines only
        keep = ("[", "Using configuration", "Installing", "Retrying", "Certificate URI")
        lines = ["%7.3f  %s" % (time.monotonic() - t0, l.rstrip("\n")[:150]) for l in p.stderr
                 if l.lstrip("}").startswith(keep) or "Retrying" in l]
        p.wait()
        lines.append("%7.3f  (exit %d)" % (time.monotonic() - t0, p.returncode))
        return lines


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description="lacme benchmark: ours vs Debian's lacme 0.8.2 (see bench/README.md)")
    ap.add_argument("--runs", type=int, default=5, help="measured runs per implementation and case (default 5)")
    ap.add_argument("--dist", default=os.path.join(TOP, "packaging/target/dist"),
                    help="our distribution tree (default packaging/target/dist)")
    ap.add_argument("--pebble-dir", help="directory holding pebble and pebble-challtestsrv")
    ap.add_argument("--no-ten", action="store_true", help="skip the 10-section case")
    ap.add_argument("--no-accountd", action="store_true", help="skip the accountd load")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--per-process", type=int, default=1, metavar="N",
                    help="runs of the per-process CPU breakdown (default 1; medians when more)")
    a = ap.parse_args()
    ours = os.path.join(a.dist, "sbin/lacme")
    for f in (ours, PERL_LACME, PERL_ACCOUNTD, PERL_CLIENT):
        if not os.access(f, os.X_OK):
            die(f + " missing: build ours (mvn -B -q -ntp -pl packaging -am package -DskipTests) and "
                    "install Debian's (apt-get install lacme lacme-accountd)")
    work = tempfile.mkdtemp(prefix="lacme-bench-")
    os.chmod(work, 0o755)
    pebble = Pebble(work, a.pebble_dir)
    try:
        perl_wrapper = write(os.path.join(work, "perl-client"), "#!/bin/sh\nPERL_LWP_SSL_CA_FILE=%s exec %s \"$@\"\n"
                             % (pebble.ca, PERL_CLIENT), 0o755)
        # the per-process run: every program through the wrapper, its lines in a directory
        # each (unprivileged) program may write to
        wrap = write(os.path.join(work, "rusage-wrap"), RUSAGE_WRAP, 0o755)
        logdir = os.path.join(work, "rusage")
        os.makedirs(logdir)
        os.chmod(logdir, 0o1777)
        java = os.path.realpath(shutil.which("java") or die("java not in PATH"))
        os.makedirs(os.path.join(work, "jdk/bin"))
        write(os.path.join(work, "jdk/bin/java"), '#!/bin/sh\nexec %s %s java %s "$@"\n' % (wrap, logdir, java), 0o755)

        def wrapped(name, cmd, env=""):
            return write(os.path.join(work, "wrapped-" + name), '#!/bin/sh\n%sexec %s %s %s %s "$@"\n'
                         % (env, wrap, logdir, name, cmd), 0o755)
        impls = [Impl("ours", work, pebble, ours, os.path.join(a.dist, "bin/lacme-accountd"),
                      ["SSL_ca_file = " + pebble.ca, "command = " + os.path.join(a.dist, "libexec/lacme/client")],
                      ["command = " + os.path.join(a.dist, "libexec/lacme/webserver")],
                      {"env": {"JAVA_HOME": os.path.join(work, "jdk")}}),
                 Impl("perl", work, pebble, PERL_LACME, PERL_ACCOUNTD, ["command = " + perl_wrapper], [],
                      {"accountd": wrapped("accountd", PERL_ACCOUNTD),
                       "client": ["command = " + wrapped("client", PERL_CLIENT,
                                                         "PERL_LWP_SSL_CA_FILE=%s " % pebble.ca)],
                       "webserver": ["command = " + wrapped("webserver", "/usr/libexec/lacme/webserver")]})]
        for im in impls:
            im.run(["account", "--register", "--tos-agreed", "mailto:hostmaster@example.test"])
            im.run(["newOrder", im.sections[0]])  # warm-up (page cache), not counted
        cases = [("1 section", lambda im: ["newOrder", "--force", im.sections[0]])]
        if not a.no_ten:
            cases.append(("%d sections" % SECTIONS, lambda im: ["newOrder", "--force"] + im.sections))
        res = {(c, im.name): [] for c, _ in cases for im in impls}
        for r in range(a.runs):
            for c, args in cases:
                for im in (impls if r % 2 == 0 else impls[::-1]):
                    res[(c, im.name)].append(im.run(args(im)))
                    w, cpu, rss = res[(c, im.name)][-1]
                    print("run %d %-11s %-5s wall %6.2f s  cpu %6.2f s  rss %6.1f MiB"
                          % (r + 1, c, im.name, w, cpu, rss / 1024), file=sys.stderr, flush=True)
        if a.runs > 0:
            print_medians(pebble, a.runs, cases, res)
        print_per_process(impls, a.per_process, logdir)
        for im in impls:
            print("\nper-phase breakdown, one run: %s newOrder --force --debug %s (seconds since start)"
                  % (im.name, im.sections[0]))
            print("\n".join(im.timeline(["newOrder", "--force", im.sections[0]])))
    finally:
        pebble.close()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("bench: work directory kept: " + work, file=sys.stderr)
    if not a.no_accountd:
        accountd_load(a.dist)


def print_medians(pebble, runs, cases, res):
    print("\nlacme newOrder --force, Pebble %s (PEBBLE_VA_NOSLEEP=1, no nonce rejection), %d runs each, "
          "alternating; medians" % (pebble.version, runs))
    print("%-40s %10s %10s %10s" % ("", "perl", "ours", "ours/perl"))
    for c, _ in cases:
        for label, i, unit, scale in (("wall", 0, "s", 1), ("CPU, process tree", 1, "s", 1),
                                      ("peak RSS, largest process", 2, "MiB", 1 / 1024)):
            p = median([x[i] for x in res[(c, "perl")]]) * scale
            o = median([x[i] for x in res[(c, "ours")]]) * scale
            print("%-40s %10.2f %10.2f %10.2f" % ("%s, %s (%s)" % (c, label, unit), p, o, o / p))


def print_per_process(impls, runs, logdir):
    """CPU (user, system) and peak RSS of each program of `newOrder --force` of 1 section, medians
    of `runs` runs alternating; Perl's master is its lacme process (RSS not known apart)."""
    if runs <= 0:
        return
    got = {im.name: [] for im in impls}
    for r in range(runs):
        for im in (impls if r % 2 == 0 else impls[::-1]):
            got[im.name].append(im.per_process(["newOrder", "--force", im.sections[0]], logdir))
    print("\nper-process CPU, newOrder --force %s, %d run(s) each, medians (each program started through a "
          "wrapper that waits for it; the wrappers' own CPU apart)" % (impls[0].sections[0], runs))
    print("%-10s %-10s %8s %8s %8s %10s" % ("", "program", "user s", "sys s", "cpu s", "RSS MiB"))
    for im in impls:
        names = [r[0] for r in got[im.name][0][0]]
        for n in names:
            rows = [next(r for r in rs if r[0] == n) for rs, _, _ in got[im.name]]
            u, sy = median([r[1] for r in rows]), median([r[2] for r in rows])
            c, m = median([r[1] + r[2] for r in rows]), median([r[3] for r in rows])
            print("%-10s %-10s %8.3f %8.3f %8.3f %10s" % (im.name, n, u, sy, c, "%.1f" % (m / 1024) if m else "-"))
        print("%-10s %-10s %8s %8s %8.3f   (wrappers %.3f s)" % (im.name, "tree", "", "",
                                                             median([t for _, _, t in got[im.name]]),
                                                             median([w for _, w, _ in got[im.name]])))


def accountd_load(dist):
    print("\naccountd load: 64 connections x 10 signatures, no think time (AccountdBenchmarkTest)", flush=True)
    r = subprocess.run(["mvn", "-B", "-q", "-ntp", "-pl", "accountd", "-am", "test",
                        "-Dtest=AccountdBenchmarkTest", "-Dsurefire.failIfNoSpecifiedTests=false",
                        "-Dlacme.bench=true", "-Dlacme.bench.accountd=" + os.path.join(dist, "bin/lacme-accountd"),
                        "-Dlacme.bench.thinkms=0", "-Dlacme.bench.conns=64", "-Dlacme.bench.sigs=10",
                        "-Dlacme.bench.perl=" + PERL_ACCOUNTD], cwd=TOP, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True)
    if r.returncode != 0:
        die("the accountd benchmark failed (exit %d):\n%s" % (r.returncode, (r.stdout + r.stderr)[-3000:]))
    with open(os.path.join(TOP, "accountd/target/accountd-bench.txt")) as f:
        print(f.read(), end="")  # the table with its header (the test prints the rows only)


if __name__ == "__main__":
    main()
