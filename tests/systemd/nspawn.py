"""Debian 12 (bookworm) booted under systemd-nspawn, for tests/systemd.

root_tree() returns a bookworm root tree made by debootstrap from the apt
mirror this machine already uses, with PACKAGES installed.  Trees are
cached under MEDIAWATCH_NSPAWN_CACHE (default /var/cache/mediawatch-nspawn)
in a directory named after a hash of everything that goes into them (the
suite, the mirror, the architecture and the package list), so a changed
list builds a new tree and an unchanged one is reused; a missing tree is
built again.  Old trees are not removed: `rm -rf` the cache to reclaim
the space.

Container boots a tree with --volatile=overlay: everything the test writes
goes to a throwaway layer, so the cached tree stays as debootstrap left it.
The container has its own network namespace with loopback only.  Commands
run inside it through nsenter(1) into the namespaces of its init, as root
or (runuser) as a user of the container.  The container is powered off by
stop(), by the end of the Python process (atexit), and, should the
process be killed, by systemd-nspawn's parent-death signal.
"""

import atexit
import ctypes
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

SUITE = "bookworm"
VARIANT = "minbase"
# systemd as init with dbus as on a stock installation; what `make` and
# `make install` need (the -dev packages of the Makefile's pkg-config list,
# tzdata for the configured time zone); python3 for the loopback feed
# server and python3-aiosmtpd for the SMTP server.
def _build_packages():
    """BUILD_PACKAGES of contrib/deps.sh: one list of what a build needs."""
    text = (Path(__file__).resolve().parents[2] / "contrib" / "deps.sh"
            ).read_text(encoding="utf-8")
    m = re.search(r'^BUILD_PACKAGES="([^"]*)"', text, re.M)
    if not m:
        raise RuntimeError("contrib/deps.sh has no BUILD_PACKAGES list")
    return m.group(1).split()


PACKAGES = sorted(set(_build_packages()) | set("""
    systemd systemd-sysv dbus python3 python3-aiosmtpd
""".split()))
# Bumped when the way a tree is made changes, so that old trees are not
# taken for new ones.
RECIPE_VERSION = 1

DEFAULT_CACHE = "/var/cache/mediawatch-nspawn"
DEFAULT_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
BOOT_TIMEOUT = 90.0
POWEROFF_TIMEOUT = 30.0
CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class CommandFailed(AssertionError):
    pass


# ------------------------------------------------------------ the mirror

def _one_line_entries(text):
    """Entries of a one-line-style sources.list: (types, uri, suites,
    components, signed_by)."""
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        kind, rest = words[0], words[1:]
        options = {}
        if rest and rest[0].startswith("["):
            opts = []
            while rest:
                word = rest.pop(0)
                opts.append(word.strip("[]"))
                if word.endswith("]"):
                    break
            for opt in opts:
                if "=" in opt:
                    key, value = opt.split("=", 1)
                    options[key] = value
        if len(rest) < 2:
            continue
        yield ([kind], rest[0], [rest[1]], rest[2:],
               options.get("signed-by"))


def _deb822_entries(text):
    """Entries of a deb822 .sources file."""
    stanzas, fields, key = [], {}, None
    for line in text.splitlines() + [""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if fields:
                stanzas.append(fields)
            fields, key = {}, None
        elif line[0] in " \t" and key:
            fields[key] += "\n" + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            key = key.strip().lower()
            fields[key] = value.strip()
    for f in stanzas:
        if f.get("enabled", "yes").lower() == "no":
            continue
        for uri in f.get("uris", "").split():
            yield (f.get("types", "").split(), uri,
                   f.get("suites", "").split(),
                   f.get("components", "").split(), f.get("signed-by"))


def apt_mirror(suite=SUITE):
    """(uri, keyring) of the first apt source of SUITE main, read from
    /etc/apt/sources.list and /etc/apt/sources.list.d/*.{list,sources}."""
    files = [Path("/etc/apt/sources.list")]
    parts = Path("/etc/apt/sources.list.d")
    if parts.is_dir():
        files += sorted(p for p in parts.iterdir()
                        if p.suffix in (".list", ".sources"))
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        entries = (_deb822_entries(text) if path.suffix == ".sources"
                   else _one_line_entries(text))
        for types, uri, suites, components, signed_by in entries:
            if ("deb" in types and suite in suites and "main" in components
                    and uri.startswith(("http://", "https://"))):
                keyring = (signed_by if signed_by and
                           signed_by.startswith("/") and
                           os.path.isfile(signed_by) else DEFAULT_KEYRING)
                return uri, keyring
    raise RuntimeError(f"no 'deb' source for {suite} main in "
                       "/etc/apt/sources.list or /etc/apt/sources.list.d/")


# ------------------------------------------------------------ the root tree

def _architecture():
    return subprocess.run(["dpkg", "--print-architecture"], check=True,
                          capture_output=True, text=True).stdout.strip()


CLONE_NEWNS = 0x00020000


def sound_dev_null():
    """Give this process a /dev/null that is the null device.

    Some sandboxes leave a plain file at /dev/null; systemd-nspawn then
    refuses to boot ("/dev/null is not a char or block device") and
    debootstrap writes into it.  Rather than change the host, the test
    process takes a mount namespace of its own (inherited by debootstrap,
    systemd-nspawn and nsenter) and binds a fresh device node over the
    file there.  Must be called before any thread is started.
    """
    if stat.S_ISCHR(os.stat("/dev/null").st_mode):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare(CLONE_NEWNS): {os.strerror(err)}")
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    node = Path(tempfile.mkdtemp(prefix="mediawatch-dev-")) / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    os.chmod(node, 0o666)
    subprocess.run(["mount", "--bind", str(node), "/dev/null"], check=True)
    if not stat.S_ISCHR(os.stat("/dev/null").st_mode):
        raise RuntimeError("could not bind a null device over /dev/null")


def root_tree(cache=None):
    """The path of a cached bookworm tree with PACKAGES, built first when
    it is missing.  A lock keeps two runs from building it at once."""
    cache = Path(cache or os.environ.get("MEDIAWATCH_NSPAWN_CACHE")
                 or DEFAULT_CACHE)
    uri, keyring = apt_mirror()
    arch = _architecture()
    recipe = {"suite": SUITE, "variant": VARIANT, "mirror": uri,
              "arch": arch, "packages": PACKAGES, "version": RECIPE_VERSION}
    key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()
                         ).hexdigest()[:16]
    tree = cache / f"{SUITE}-{key}"
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (tree / "usr/lib/systemd/systemd").exists():
            return tree
        work = cache / f".{SUITE}-{key}.building"
        shutil.rmtree(work, ignore_errors=True)    # an interrupted build
        log = cache / f"{SUITE}-{key}.log"
        cmd = ["debootstrap", f"--variant={VARIANT}", f"--arch={arch}",
               f"--keyring={keyring}", "--include=" + ",".join(PACKAGES),
               SUITE, str(work), uri]
        started = time.monotonic()
        with open(log, "w") as out:
            out.write(" ".join(cmd) + "\n")
            out.flush()
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out,
                               stderr=subprocess.STDOUT)
        if r.returncode != 0:
            tail = log.read_text(errors="replace").splitlines()[-30:]
            raise RuntimeError(f"debootstrap failed (exit {r.returncode}), "
                               f"log {log}:\n" + "\n".join(tail))
        (work / "etc/hostname").write_text("mediawatch-test\n")
        work.rename(tree)
        print(f"\nnspawn: built {tree} from {uri} in "
              f"{time.monotonic() - started:.0f} s", flush=True)
        return tree


# ------------------------------------------------------------ the container

def _die_with_parent():
    """In the child before exec: SIGTERM when our process dies, which
    makes systemd-nspawn power the container off."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name is in parentheses and may contain spaces
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


class Container:
    def __init__(self, tree, name, log_path):
        self.tree = Path(tree)
        self.name = name
        self.log_path = Path(log_path)
        self.proc = None
        self.leader = None

    # ---- boot and power-off ----

    def start(self):
        cmd = ["systemd-nspawn", "--quiet", "--boot",
               f"--directory={self.tree}", f"--machine={self.name}",
               "--volatile=overlay", "--private-network",
               # no systemd-machined or D-Bus needed on the host
               "--register=no", "--keep-unit",
               "--console=read-only"]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=_die_with_parent)
        atexit.register(self.stop)
        self.leader = self._wait(lambda: self._find_leader(), BOOT_TIMEOUT,
                                 "the container's init")
        state = self._wait(self._booted, BOOT_TIMEOUT,
                           "the container to finish booting")
        if state != "running":
            failed = self.run(["systemctl", "--failed", "--no-pager"],
                              check=False).stdout
            print(f"\nnspawn: system state {state}:\n{failed}", flush=True)

    def _find_leader(self):
        for pid in _children(self.proc.pid):
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() == "systemd":
                    return pid
            except OSError:
                pass
        return None

    def _booted(self):
        r = self.run(["systemctl", "is-system-running"], check=False)
        state = r.stdout.strip()
        return state if state in ("running", "degraded") else None

    def _wait(self, probe, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"systemd-nspawn exited with "
                                   f"{self.proc.returncode} while waiting for "
                                   f"{what}:\n{self.console_tail()}")
            got = probe()
            if got:
                return got
            if time.monotonic() > deadline:
                raise RuntimeError(f"no {what} after {timeout:.0f} s:\n"
                                   f"{self.console_tail()}")
            time.sleep(0.2)

    def console_tail(self, lines=40):
        try:
            text = self.log_path.read_bytes().decode("utf-8", "replace")
        except OSError:
            return "(no console log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self):
        """Powers the container off (SIGTERM to systemd-nspawn), killing it
        when that takes too long.  Safe to call more than once."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(POWEROFF_TIMEOUT)
        except subprocess.TimeoutExpired:
            if self.leader:
                try:
                    os.kill(self.leader, signal.SIGKILL)  # the whole pid ns
                except ProcessLookupError:
                    pass
            self.proc.kill()
            self.proc.wait()
        self._log.close()

    # ---- commands inside ----

    def run(self, argv, user=None, input=None, check=True, timeout=120,
            env=()):
        """Runs argv in the container (as root, or as USER with runuser),
        with a clean environment plus ENV (pairs).  Returns the completed
        process with text output; check=True fails on a non-zero exit."""
        cmd = ["nsenter", f"--target={self.leader}", "--all", "--",
               "env", "-i", f"PATH={CONTAINER_PATH}", "LC_ALL=C.UTF-8",
               "HOME=/root", *(f"{k}={v}" for k, v in env)]
        if user:
            cmd += ["runuser", "-u", user, "--"]
        cmd += list(argv)
        if isinstance(input, str):
            input = input.encode("utf-8")
        r = subprocess.run(cmd, input=input, capture_output=True,
                           timeout=timeout)
        r.stdout = r.stdout.decode("utf-8", "replace")
        r.stderr = r.stderr.decode("utf-8", "replace")
        if check and r.returncode != 0:
            raise CommandFailed(
                f"{' '.join(argv)}{' (as ' + user + ')' if user else ''} "
                f"exited with {r.returncode}\n--- stdout:\n{r.stdout}"
                f"--- stderr:\n{r.stderr}")
        return r

    def sh(self, script, **kw):
        return self.run(["sh", "-ec", script], **kw)

    def write(self, path, data, mode="0644", owner="root:root"):
        """Writes a file in the container atomically."""
        self.run(["sh", "-ec", 'mkdir -p "$(dirname "$1")"; cat > "$1.tmp"; '
                  'chmod "$2" "$1.tmp"; chown "$3" "$1.tmp"; mv "$1.tmp" "$1"',
                  "-",
                  path, mode, owner], input=data)

    def read(self, path):
        return self.run(["cat", path]).stdout
