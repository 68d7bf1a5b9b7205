"""The session's container: Debian 12 booted under systemd-nspawn, with this
source tree built and installed the way README.md's "Install as a
service" says:

    $ make                            (as the administrator alice)
    # make install PREFIX=/usr
    # systemctl daemon-reload
    # systemd-sysusers mediawatch.conf
    # systemd-tmpfiles --create mediawatch.conf
    # mediawatchd -n

The source is the working tree (tracked and untracked files that git does
not ignore), copied into alice's home.  Needs root on the host:
debootstrap and systemd-nspawn.
"""

import io
import os
import shutil
import signal
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nspawn  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
ADMIN = "alice"
SRC = f"/home/{ADMIN}/mediawatch"
BUILD_TIMEOUT = 900


def _source_files():
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "ls-files", "-z", "--cached",
             "--others", "--exclude-standard"],
            check=True, capture_output=True).stdout
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", "build", "build-san", "build-fuzz", "demo"}
        names = []
        for top, dirs, files in os.walk(REPO):
            rel = Path(top).relative_to(REPO)
            dirs[:] = [d for d in dirs
                       if not (rel == Path(".") and d in skip)]
            names += [str(rel / f) for f in files]
    # deleted but not yet committed files are listed by git too
    return sorted(n for n in names if (REPO / n).is_file())


def _source_tarball():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in _source_files():
            tar.add(REPO / name, arcname=name, recursive=False)
    return buf.getvalue()


def _terminate(signo, frame):
    # SIGTERM from make or CI: stop like on ^C (pytest would take a
    # SystemExit for one failed test and go on); the container is powered
    # off by the fixture's finally or by atexit
    raise KeyboardInterrupt


@pytest.fixture(scope="session")
def machine(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.exit("check-systemd needs root (debootstrap, systemd-nspawn)",
                    returncode=1)
    for tool in ("debootstrap", "systemd-nspawn", "nsenter"):
        if shutil.which(tool) is None:
            pytest.exit(f"check-systemd needs {tool}: run `make deps`",
                        returncode=1)
    signal.signal(signal.SIGTERM, _terminate)
    nspawn.sound_dev_null()
    tree = nspawn.root_tree()
    log = tmp_path_factory.mktemp("nspawn") / "console.log"
    m = nspawn.Container(tree, f"mediawatch-test-{os.getpid()}", log)
    try:
        m.start()
        install(m)
        yield m
    finally:
        m.stop()


def install(m):
    m.run(["useradd", "--create-home", "--shell", "/bin/bash", ADMIN])
    m.run(["mkdir", SRC], user=ADMIN)
    m.run(["tar", "-x", "-C", SRC], user=ADMIN, input=_source_tarball())
    m.run(["make", "-C", SRC, "-j2"], user=ADMIN, timeout=BUILD_TIMEOUT)
    m.run(["make", "-C", SRC, "install", "PREFIX=/usr"],
          timeout=BUILD_TIMEOUT)
    m.run(["systemctl", "daemon-reload"])
    m.run(["systemd-sysusers", "mediawatch.conf"])
    m.run(["systemd-tmpfiles", "--create", "mediawatch.conf"])
    r = m.run(["mediawatchd", "-n"])
    assert r.stdout.strip() == \
        "/etc/mediawatch/mediawatch.conf: configuration OK", r.stdout
