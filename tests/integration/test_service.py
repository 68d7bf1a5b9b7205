"""mediawatchd as a systemd service (issue 6): the test plays systemd.

It binds the notification socket, starts the real daemon with NOTIFY_SOCKET
and WATCHDOG_USEC, and reads what the daemon tells it: READY=1 once the
database is migrated, STATUS= lines, WATCHDOG=1 from the event loop,
RELOADING=1 … READY=1 around a reload, STOPPING=1 on SIGTERM.  Feeds come
from a loopback HTTP server that can also trickle a body slowly, to stop
the daemon in the middle of a transfer.

Nothing sleeps for a fixed time where a condition can be awaited: every
wait reads the socket (or the log, or the server's request list) until
the expected thing arrives or a deadline passes.
"""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

WATCHDOG_USEC = 2_000_000
STOP_BOUND = 12.0        # seconds: the daemon's 10 s grace plus slack
START_TIMEOUT = 20.0
# The daemon looks at the registry at least every 30 s when idle.
TICK_TIMEOUT = 45.0

# Variables a real systemd would set that must not leak into the daemon
# from the environment the tests run in.
_SYSTEMD_VARS = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
                 "JOURNAL_STREAM", "INVOCATION_ID", "LISTEN_FDS",
                 "LISTEN_PID", "CREDENTIALS_DIRECTORY")


# ------------------------------------------------------------ the feeds

def rss(title):
    now = formatdate(time.time() - 3600, usegmt=True)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0"><channel><title>test</title>'
        f'<item><guid>{title}</guid><title>{title}</title>'
        f'<pubDate>{now}</pubDate></item>'
        '</channel></rss>\n'
    ).encode("utf-8")


class FeedServer:
    """Loopback HTTP server.  Paths under /slow/ send headers and then one
    byte every 0.2 s of a body that never completes (until close());
    paths under /finish/ trickle for about 2 s and then complete a valid
    feed; every other path answers a feed at once.  Every request path is
    recorded and can be awaited."""

    def __init__(self):
        self.paths = []
        self.cond = threading.Condition()
        self.closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with server.cond:
                    server.paths.append(self.path)
                    server.cond.notify_all()
                if self.path.startswith("/slow/"):
                    self.trickle_forever()
                elif self.path.startswith("/finish/"):
                    self.trickle_then_finish()
                else:
                    self.send_body(rss(self.path))

            def send_body(self, body):
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def trickle_forever(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                try:
                    while not server.closing.wait(0.2):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                except OSError:
                    pass    # the daemon gave up on us: that is the point

            def trickle_then_finish(self):
                body = rss(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                head, rest = body[:10], body[10:]
                try:
                    for b in head:
                        if server.closing.wait(0.2):
                            return
                        self.wfile.write(bytes([b]))
                        self.wfile.flush()
                    self.wfile.write(rest)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_request(self, path, timeout):
        """Waits until path was requested; returns True if it was."""
        with self.cond:
            return self.cond.wait_for(lambda: path in self.paths, timeout)

    def close(self):
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feeds():
    server = FeedServer()
    yield server
    server.close()


# ------------------------------------------------- playing systemd

class NotifySocket:
    """The datagram socket systemd would listen on.  A thread reads it all
    the time, as systemd does: a full socket queue would block the
    daemon's sd_notify() calls.  Every line received is kept with its
    arrival time; expect() moves a cursor forward, so consecutive
    expect() calls also assert the order of the messages."""

    def __init__(self):
        # AF_UNIX paths are limited to 108 bytes: keep it short.
        self.dir = tempfile.mkdtemp(prefix="mwn-", dir="/tmp")
        self.path = os.path.join(self.dir, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.lines = []     # (monotonic time, "KEY=value")
        self.cursor = 0
        self.cond = threading.Condition()
        self.closing = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.closing:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            now = time.monotonic()
            with self.cond:
                for line in data.decode("utf-8", "replace").split("\n"):
                    if line:
                        self.lines.append((now, line))
                self.cond.notify_all()

    def expect(self, pattern, timeout, what=None):
        """The first line from the cursor on that matches pattern (a
        regular expression, matched in full); fails after timeout."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                while self.cursor < len(self.lines):
                    t, line = self.lines[self.cursor]
                    self.cursor += 1
                    if rx.fullmatch(line):
                        return t, line
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"no {what or pattern} within {timeout} s; "
                                f"received: {[l for _, l in self.lines]}")
                self.cond.wait(left)

    def seen(self, line, since=None):
        with self.cond:
            return any(l == line for t, l in self.lines
                       if since is None or t >= since)

    def close(self):
        self.closing = True
        self.thread.join()
        self.sock.close()
        try:
            os.unlink(self.path)
            os.rmdir(self.dir)
        except OSError:
            pass


@pytest.fixture
def notify():
    n = NotifySocket()
    yield n
    n.close()


class Daemon:
    """A running mediawatchd -d, its stderr in a file."""

    def __init__(self, mw, env, watchdog_pid=True):
        self.mw = mw
        self.log_path = mw.dir / "mediawatchd.log"
        self.log = open(self.log_path, "wb")
        argv = [str(mw.daemon_path), "-c", str(mw.conf_path), "-d"]
        if watchdog_pid:
            # Like systemd, name the daemon's own pid: exec keeps the
            # shell's pid, so $$ is the pid mediawatchd will have.
            argv = ["/bin/sh", "-c",
                    'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" "$@"',
                    *argv]
        self.proc = subprocess.Popen(argv, env=env, cwd=mw.dir,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)

    def text(self):
        return self.log_path.read_text("utf-8", "replace")

    def wait_log(self, pattern, timeout, start=0):
        """Waits until the log (from offset start) matches pattern;
        returns the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.text(), start)
            if m:
                return m
            if self.proc.poll() is not None:
                pytest.fail(f"mediawatchd exited ({self.proc.returncode}) "
                            f"before logging /{pattern}/:\n{self.text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"mediawatchd did not log /{pattern}/ within "
                            f"{timeout} s:\n{self.text()}")
            time.sleep(0.05)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def alive(self):
        return self.proc.poll() is None

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"mediawatchd still running {timeout} s later:\n"
                        f"{self.text()}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture
def daemons():
    started = []
    yield started
    for d in started:
        d.kill()


def service_env(mw, notify=None, watchdog=True):
    env = {k: v for k, v in mw.env.items() if k not in _SYSTEMD_VARS}
    if notify is not None:
        env["NOTIFY_SOCKET"] = notify.path
        if watchdog:
            env["WATCHDOG_USEC"] = str(WATCHDOG_USEC)
    return env


def start(mw, daemons, notify=None, watchdog=True, watchdog_pid=True):
    d = Daemon(mw, service_env(mw, notify, watchdog), watchdog_pid)
    daemons.append(d)
    return d


def latest_schema_version(mw):
    """The schema version mediawatchctl migrates a new database to."""
    other = mw.dir / "reference.db"
    mw.run("--db", other, "unit", "list", check=0)
    con = sqlite3.connect(other)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def platforms_conf(template, extra=""):
    """A config body: weibo polled through template, plus extra text."""
    return (f'platforms = ( {{ key = "weibo"; label = "微博"; '
            f'feed_template = "{template}"; }} );\n{extra}')


def wait_fetched(mw, account, url, timeout=10):
    """Waits until a successful fetch of url is committed for account."""
    deadline = time.monotonic() + timeout
    while True:
        st = feed_state(mw, account)
        if st and st[2] is not None and st[4] == url:
            return st
        assert time.monotonic() < deadline, f"no fetch of {url}: {st}"
        time.sleep(0.05)


def feed_state(mw, account):
    rows = mw.sql("SELECT next_poll_at, last_fetch_at, last_success_at,"
                  " last_error, url FROM feed_state WHERE account_id = ?",
                  (account,))
    return rows[0] if rows else None


# ------------------------------------------------------------ -n

def test_check_mode_accepts_good_config_and_exits_0(mw):
    mw.write_config(platforms_conf("http://127.0.0.1:1/{uid}"))
    r = mw.run_daemon("-n", check=0)
    assert "configuration OK" in r.stdout
    assert not mw.db_path.exists(), "-n must not create the database"


def test_check_mode_rejects_bad_config_with_file_line_and_exits_1(mw):
    mw.write_config('poll = {\n  interval = "10s";\n};')
    r = mw.run_daemon("-n", check=1)
    # database and state_dir take lines 1 and 2; the interval is line 4
    assert f"{mw.conf_path}:4:" in r.stderr, r.stderr
    assert "interval" in r.stderr


def test_check_mode_reports_syntax_error_with_file_line(mw):
    mw.write_config("poll = {\n  interval = ;\n};")
    r = mw.run_daemon("-n", check=1)
    assert re.search(re.escape(str(mw.conf_path)) + r":4: ", r.stderr), r.stderr


# ------------------------------------------------------------ start

def test_ready_after_migration_then_status_and_watchdog(mw, notify, daemons):
    assert not mw.db_path.exists()
    d = start(mw, daemons, notify)
    notify.expect("READY=1", START_TIMEOUT)
    # READY=1 promises a usable database: every migration is applied.
    assert mw.sql("PRAGMA user_version")[0][0] == latest_schema_version(mw)
    assert {"unit", "account", "feed_state"} <= mw.tables()
    _, status = notify.expect(r"STATUS=.+", 5)
    for part in ("active accounts", "stale", "failing feeds", "next poll"):
        assert part in status, status
    # WATCHDOG=1 keeps coming, each well within WATCHDOG_USEC of the last.
    prev, _ = notify.expect("WATCHDOG=1", WATCHDOG_USEC / 1e6)
    for _ in range(4):
        t, _ = notify.expect("WATCHDOG=1", WATCHDOG_USEC / 1e6)
        assert t - prev < WATCHDOG_USEC / 1e6
        prev = t
    assert not notify.seen("STOPPING=1")
    d.signal(signal.SIGTERM)
    notify.expect("STOPPING=1", 5)
    assert d.wait_exit(STOP_BOUND) == 0


def test_no_watchdog_pings_for_another_pid(mw, notify, daemons):
    env = service_env(mw, notify)
    env["WATCHDOG_PID"] = "1"      # systemd watches some other process
    d = Daemon(mw, env, watchdog_pid=False)
    daemons.append(d)
    t, _ = notify.expect("READY=1", START_TIMEOUT)
    # sd-event pings at least twice per WATCHDOG_USEC when it applies
    d.wait_log(r"started: database", 5)
    time.sleep(WATCHDOG_USEC / 1e6)     # an absence can only be waited out
    assert not notify.seen("WATCHDOG=1")
    d.signal(signal.SIGTERM)
    assert d.wait_exit(STOP_BOUND) == 0


def test_runs_the_same_without_notify_socket(mw, daemons, feeds):
    mw.write_config(platforms_conf(feeds.url("/plain/{uid}")))
    mw.add_unit("GOV", "市政府办公室")
    acc = mw.open_account("GOV", "weibo", "武夷山发布", uid="u1")
    d = start(mw, daemons, notify=None)
    assert feeds.wait_request("/plain/u1", START_TIMEOUT)
    d.wait_log(r"started: database", 5)
    wait_fetched(mw, acc, feeds.url("/plain/u1"))
    d.signal(signal.SIGTERM)
    assert d.wait_exit(STOP_BOUND) == 0
    d.wait_log(r"stopping \(signal 15\)", 1)


# ------------------------------------------------------------ reload

def test_reload_applies_a_valid_config_and_keeps_the_old_on_error(
        mw, notify, daemons, feeds):
    mw.write_config(platforms_conf(feeds.url("/a/{uid}")))
    mw.add_unit("GOV", "市政府办公室")
    acc = mw.open_account("GOV", "weibo", "武夷山发布", uid="u1")
    d = start(mw, daemons, notify)
    notify.expect("READY=1", START_TIMEOUT)
    assert feeds.wait_request("/a/u1", 10), feeds.paths
    # let that fetch commit first, or it would overwrite the `poll` below
    wait_fetched(mw, acc, feeds.url("/a/u1"))

    # A valid change: the platform's feed template moves to /b/.
    mw.write_config(platforms_conf(feeds.url("/b/{uid}")))
    log_at = len(d.text())
    d.signal(signal.SIGHUP)
    notify.expect("RELOADING=1", 5)
    notify.expect("READY=1", 5, "READY=1 after RELOADING=1")
    notify.expect(r"STATUS=.+", 5)
    d.wait_log(r"configuration reloaded", 5, log_at)
    mw.run("poll", str(acc), check=0)
    assert feeds.wait_request("/b/u1", TICK_TIMEOUT), (
        f"the reloaded feed_template was not used: {feeds.paths}\n{d.text()}")

    # A broken one: an error at a known line, and the template removed
    # (so the status would say there is nothing to poll if it applied).
    wait_fetched(mw, acc, feeds.url("/b/u1"))
    mw.write_config('platforms = ( { key = "weibo"; } );\n'
                    'poll = {\n  interval = "10s";\n};')
    log_at = len(d.text())
    d.signal(signal.SIGHUP)
    notify.expect("RELOADING=1", 5)
    notify.expect("READY=1", 5, "READY=1 after a refused reload")
    _, status = notify.expect(r"STATUS=.+", 5)
    m = d.wait_log(r"keeping the one in force", 5, log_at)
    # lines 1-2 are database and state_dir: the interval is on line 5
    assert f"{mw.conf_path}:5:" in d.text()[log_at:m.end()], d.text()[log_at:]
    assert "next poll -" not in status, (
        f"the broken configuration took effect: {status}")
    assert d.alive()
    # and the old configuration still polls
    notify.expect("WATCHDOG=1", WATCHDOG_USEC / 1e6)
    d.signal(signal.SIGTERM)
    notify.expect("STOPPING=1", 5)
    assert d.wait_exit(STOP_BOUND) == 0
    assert "configuration reloaded" not in d.text()[log_at:]


# ------------------------------------------------------------ stop

def test_sigterm_during_slow_transfer_exits_within_bound_losing_nothing(
        mw, notify, daemons, feeds):
    # a whole-transfer timeout far beyond the stop bound: only the
    # shutdown can end this transfer
    mw.write_config(platforms_conf(feeds.url("/slow/{uid}"),
                                   'poll = { timeout = "5m"; };'))
    mw.add_unit("GOV", "市政府办公室")
    acc = mw.open_account("GOV", "weibo", "武夷山发布", uid="u1")
    d = start(mw, daemons, notify)
    notify.expect("READY=1", START_TIMEOUT)
    assert feeds.wait_request("/slow/u1", 10), feeds.paths
    # the loop stays alive while the body trickles in
    notify.expect("WATCHDOG=1", WATCHDOG_USEC / 1e6)
    t0 = time.monotonic()
    d.signal(signal.SIGTERM)
    notify.expect("STOPPING=1", 5)
    # still alive while in the grace period, watchdog still pinging
    notify.expect("WATCHDOG=1", WATCHDOG_USEC / 1e6)
    rc = d.wait_exit(STOP_BOUND + 3)
    elapsed = time.monotonic() - t0
    assert rc == 0, d.text()
    assert elapsed <= STOP_BOUND, f"took {elapsed:.1f} s to stop"
    assert "abandoning" in d.text()
    # nothing lost: the database is sound and the account is still due
    assert mw.sql("PRAGMA integrity_check") == [("ok",)]
    next_poll, last_fetch, last_success, last_error, _ = feed_state(mw, acc)
    assert next_poll <= time.time(), "the abandoned fetch must stay due"
    assert last_success is None and last_error is None
    assert mw.account(acc)["status"] == "active"


def test_sigterm_lets_a_transfer_finish_and_commits_it(
        mw, notify, daemons, feeds):
    mw.write_config(platforms_conf(feeds.url("/finish/{uid}")))
    mw.add_unit("GOV", "市政府办公室")
    acc = mw.open_account("GOV", "weibo", "武夷山发布", uid="u1")
    d = start(mw, daemons, notify)
    notify.expect("READY=1", START_TIMEOUT)
    assert feeds.wait_request("/finish/u1", 10), feeds.paths
    t0 = time.monotonic()
    d.signal(signal.SIGTERM)
    notify.expect("STOPPING=1", 5)
    assert d.wait_exit(STOP_BOUND) == 0, d.text()
    # it ended when the transfer did (about 2 s), not at the grace limit
    assert time.monotonic() - t0 < 8, d.text()
    assert "abandoning" not in d.text()
    next_poll, _, last_success, last_error, _ = feed_state(mw, acc)
    assert last_success is not None and last_error is None, (
        f"the finished transfer was not committed\n{d.text()}")
    assert next_poll > time.time()
    assert mw.sql("SELECT count(*) FROM post WHERE account_id = ?",
                  (acc,))[0][0] == 1


def test_sigterm_when_idle_exits_at_once(mw, notify, daemons):
    d = start(mw, daemons, notify)
    notify.expect("READY=1", START_TIMEOUT)
    t0 = time.monotonic()
    d.signal(signal.SIGTERM)
    notify.expect("STOPPING=1", 5)
    assert d.wait_exit(STOP_BOUND) == 0
    assert time.monotonic() - t0 < 3
