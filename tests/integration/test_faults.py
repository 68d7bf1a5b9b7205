"""Faults and hostile input (issue 8) that the other integration tests do
not already cover: the database locked beyond the busy timeout, a full
disk, kill -9 of mediawatchd at random moments across 50 cycles, file
permissions under the service's umask, secrets kept out of every output,
hostile configuration files and arguments, hostile feed response headers.

(Feed bodies that trickle, never end, are huge, loop or are bad gzip live
in test_poller.py; the SMTP server refusing, dropping after DATA, down and
back, and kill -9 while sending in test_alerts.py; hostile CSV and
arguments in test_registry.py; SIGTERM and SIGHUP in test_service.py.)

Everything runs on 127.0.0.1 with the clock fixed by MEDIAWATCH_NOW.
MEDIAWATCH_BUILD_SAN, when set, names a SAN=1 build directory whose
binaries the hostile-configuration tests run as well."""

import base64
import calendar
import email
import email.policy
import json
import os
import random
import resource
import signal
import sqlite3
import ssl
import stat
import subprocess
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import BUILD
from feedserver import feeds  # noqa: F401  (fixture)
from smtpserver import smtp, free_port  # noqa: F401  (fixture)
from testca import TestCA

DAY = 86400
HOUR = 3600
CST = timezone(timedelta(hours=8))
# 2026-03-02 10:00:00 in Asia/Shanghai
BASE = calendar.timegm((2026, 3, 2, 2, 0, 0))
REGISTERED = BASE - 200 * DAY
FROM_ADDR = "mediawatch@example.gov.cn"
ADMIN = "dzzw@example.gov.cn"
BUSY_TIMEOUT = 5.0            # DB_BUSY_TIMEOUT_MS in daemon/db.h
LEDGER_HEADER = ("unit_code,platform,name,platform_uid,feed_url,operator,"
                 "filing_no,opened_on")


# ---------------------------------------------------------------- helpers

def rss(*items):
    """An RSS 2.0 feed; items are (guid, unix time) pairs."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">'
           "<channel><title>测试</title><link>https://www.example.gov.cn/</link>\n"]
    for guid, when in items:
        date = format_datetime(datetime.fromtimestamp(when, CST))
        out.append(f"<item><title>动态 {guid}</title>"
                   f"<link>https://www.example.gov.cn/{guid}.html</link>"
                   f'<guid isPermaLink="false">{guid}</guid>'
                   f"<pubDate>{date}</pubDate></item>\n")
    out.append("</channel></rss>\n")
    return "".join(out)


def conf_value(v):
    if isinstance(v, (list, tuple)):
        return "[ " + ", ".join(conf_value(x) for x in v) + " ]"
    if isinstance(v, int):
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def configure(mw, mail=None, poll=None):
    """Fixed poll settings, and mail through the maildir transport into
    mw.dir/Maildir unless mail says otherwise."""
    mail_settings = {"transport": "maildir", "maildir": str(mw.dir / "Maildir"),
                     "from": FROM_ADDR, "admins": [ADMIN],
                     "digest_time": "00:00", "retry_base": "10m",
                     "max_attempts": 10}
    mail_settings.update(mail or {})
    poll_settings = {"interval": "1h", "jitter": 0, "timeout": "5s",
                     "connect_timeout": "2s", "fail_threshold": 3}
    poll_settings.update(poll or {})
    text = ""
    for name, settings in (("poll", poll_settings), ("mail", mail_settings)):
        text += f"{name} = {{\n" + "".join(
            f"\t{k} = {conf_value(v)};\n" for k, v in settings.items()) + "};\n"
    mw.write_config(text)


def integrity(path):
    con = sqlite3.connect(path, timeout=30)
    try:
        return con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()


def assert_intact(mw):
    assert integrity(mw.db_path) == [("ok",)]


def rows(mw, query, params=()):
    con = sqlite3.connect(mw.db_path, timeout=30)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(query, params)]
    finally:
        con.close()


def outbox(mw):
    return rows(mw, "SELECT * FROM outbox ORDER BY id")


def ledger(lines):
    return LEDGER_HEADER + "\n" + "".join(line + "\n" for line in lines)


def preexec(umask=None, fsize=None):
    """A preexec_fn setting the child's umask and/or RLIMIT_FSIZE (with
    SIGXFSZ ignored, so an oversized write fails with EFBIG)."""
    def run():
        if umask is not None:
            os.umask(umask)
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return run


def run_with(mw, program, args, timeout=90, **limits):
    """Runs program (a path) with -c CONF and args under preexec limits."""
    proc = subprocess.run(
        [str(program), "-c", str(mw.conf_path)] + [str(a) for a in args],
        capture_output=True, env=mw._env(None), cwd=mw.dir,
        stdin=subprocess.DEVNULL, timeout=timeout,
        preexec_fn=preexec(**limits))
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"))


def wait_until(predicate, timeout=30.0, what="a condition", step=0.02):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(step)


def not_crashed(result):
    """A finished process that was not ended by a signal (ASan and UBSan
    report with exit 1 and a 'Sanitizer' banner)."""
    assert result.returncode >= 0, (
        f"killed by signal {-result.returncode}\n{result.stderr[-3000:]}")
    assert "Sanitizer" not in result.stderr, result.stderr[-3000:]
    assert "runtime error" not in result.stderr, result.stderr[-3000:]


@contextmanager
def write_lock(db_path):
    """Another writer: a connection holding BEGIN IMMEDIATE (with an
    uncommitted change) until the block ends, then rolling back."""
    con = sqlite3.connect(db_path, isolation_level=None, timeout=30)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("UPDATE unit SET name = name || '-locked'")
        yield con
    finally:
        con.execute("ROLLBACK")
        con.close()


class TimedLock:
    """write_lock held by a thread for `seconds` after start()."""

    def __init__(self, db_path, seconds):
        self.db_path, self.seconds = db_path, seconds
        self.held = threading.Event()
        self.released_at = None
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self):
        with write_lock(self.db_path):
            self.held.set()
            time.sleep(self.seconds)       # the fault is its duration
        self.released_at = time.monotonic()

    def start(self):
        self.thread.start()
        assert self.held.wait(10), "could not take the write lock"
        return self

    def join(self):
        self.thread.join(self.seconds + 30)
        assert not self.thread.is_alive()


# ------------------------------------------------- 1. database locked

def test_ctl_refuses_a_change_while_another_writer_holds_the_lock_too_long(mw):
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    mw.open_account("GOV", "weibo", "武夷山发布", uid="1")
    before = mw.dump()
    with write_lock(mw.db_path):
        started = time.monotonic()
        r = mw.run("account", "open", "--unit", "GOV", "--platform", "douyin",
                   "--name", "武夷山文旅", "--uid", "2")
        waited = time.monotonic() - started
        r2 = mw.run("unit", "change", "GOV", "--name", "新名字")
    assert r.returncode == 1, r
    assert "database is locked" in r.stderr, r.stderr
    assert r.stdout == ""
    # it waited for the busy timeout, then gave up
    assert waited >= BUSY_TIMEOUT - 0.5, waited
    assert r2.returncode == 1 and "database is locked" in r2.stderr, r2
    assert mw.dump() == before
    assert_intact(mw)
    # the same command goes through once the other writer is gone
    acc = mw.open_account("GOV", "douyin", "武夷山文旅", uid="2")
    assert mw.account(acc)["name"] == "武夷山文旅"


def feed_accounts(mw, feeds, n, newest):
    """n accounts of unit GOV, each with a feed of two posts (the newer at
    newest - i hours).  Returns {account id: (path, newest post time)}."""
    mw.now(REGISTERED)
    mw.add_unit("GOV", "武夷山市人民政府办公室", "--email", "gov@example.gov.cn")
    out = {}
    for i in range(n):
        path = f"/f{i}.xml"
        acc = mw.open_account("GOV", "website", f"武夷山网站{i}",
                              feed=feeds.url(path))
        when = newest - i * HOUR
        feeds.serve(path, rss((f"p{i}a", when - DAY), (f"p{i}b", when)))
        out[acc] = (path, when)
    return out


def test_daemon_survives_the_lock_held_beyond_busy_timeout_and_catches_up(
        mw, feeds):
    configure(mw)
    accounts = feed_accounts(mw, feeds, 6, BASE - 2 * DAY)
    mw.now(BASE)
    lock = TimedLock(mw.db_path, BUSY_TIMEOUT + 2).start()
    try:
        r = mw.run_daemon("--once", "-d", timeout=120)
    finally:
        lock.join()
    not_crashed(r)
    assert r.returncode in (0, 1), r
    assert "database is locked" in r.stderr, r.stderr
    assert_intact(mw)
    # whatever the locked run stored is whole: an account has posts only
    # with the fetch that brought them recorded, and then all of them
    for acc, (path, when) in accounts.items():
        n = mw.sql("SELECT count(*) FROM post WHERE account_id = ?", (acc,))[0][0]
        st = rows(mw, "SELECT * FROM feed_state WHERE account_id = ?", (acc,))
        last = mw.sql("SELECT last_update_at FROM account WHERE id = ?",
                      (acc,))[0][0]
        if n:
            assert n == 2 and st and st[0]["successes"] >= 1, (acc, n, st)
            assert last == when
        else:
            assert last is None, (acc, last)
    # after the release, the next cycle records every result
    mw.now(BASE + 60)
    mw.run("poll", check=0)
    r = mw.run_daemon("--once", "-d", check=0, timeout=120)
    assert "database is locked" not in r.stderr
    for acc, (path, when) in accounts.items():
        assert mw.sql("SELECT count(*) FROM post WHERE account_id = ?",
                      (acc,)) == [(2,)]
        assert mw.sql("SELECT last_update_at FROM account WHERE id = ?",
                      (acc,)) == [(when,)]
        st = rows(mw, "SELECT * FROM feed_state WHERE account_id = ?", (acc,))
        assert st[0]["successes"] >= 1 and st[0]["last_error"] is None, st
    assert mw.sql("SELECT name FROM unit") == [("武夷山市人民政府办公室",)]
    assert_intact(mw)


# ------------------------------------------------------ 2. disk full

def big_ledger(n, prefix="d"):
    return ledger(f"GOV,douyin,武夷山抖音账号{prefix}{i},{prefix}{i},"
                  f"http://127.0.0.1:9/{prefix}{i}.xml,运维人员{i},"
                  f"闽武备{i}号,2024-01-01" for i in range(n))


def test_import_into_a_database_hitting_the_size_limit_changes_nothing(mw):
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    path = mw.write("small.csv", big_ledger(200, prefix="s"))
    mw.run("account", "import", path, check=0)
    before = mw.dump()
    # a little room beyond the current database, far less than the import
    limit = mw.db_path.stat().st_size + 256 * 1024
    big = mw.write("big.csv", big_ledger(20000))
    r = run_with(mw, mw.ctl_path, ["account", "import", big], fsize=limit)
    not_crashed(r)
    assert r.returncode == 1, r
    assert "nothing imported" in r.stderr, r.stderr[-2000:]
    assert "disk I/O error" in r.stderr or "full" in r.stderr, r.stderr[-2000:]
    assert r.stdout == ""
    assert_intact(mw)
    assert mw.sql("SELECT count(*) FROM account") == [(200,)]
    assert mw.dump() == before
    # with room again, the same file imports whole
    mw.run("account", "import", big, check=0)
    assert mw.sql("SELECT count(*) FROM account") == [(20200,)]
    assert_intact(mw)


def stale_unit(mw, feeds, n_accounts=2):
    """Unit GOV with accounts whose feeds last posted 20 days before BASE:
    one alert to the unit and the digest to the admins at BASE."""
    accounts = feed_accounts(mw, feeds, n_accounts, BASE - 20 * DAY)
    mw.now(BASE)
    mw.run("poll", check=0)
    return accounts


def maildir_files(maildir):
    new = maildir / "new"
    return sorted(new.iterdir()) if new.is_dir() else []


def message_ids_in(maildir):
    out = []
    for path in maildir_files(maildir):
        msg = email.message_from_bytes(path.read_bytes(),
                                       policy=email.policy.default)
        out.append(msg["Message-ID"])
    return out


@pytest.fixture
def small_fs(tmp_path):
    """A 512 KiB tmpfs at tmp_path/small (mounting needs privileges)."""
    where = tmp_path / "small"
    where.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k,mode=0755",
                        "tmpfs", str(where)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def fill(directory):
    """Fills the file system of directory; returns the filler file."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def test_maildir_on_a_full_file_system_keeps_mail_queued_with_the_error(
        mw, feeds, small_fs):
    maildir = small_fs / "Maildir"
    configure(mw, mail={"maildir": str(maildir)})
    stale_unit(mw, feeds)
    filler = fill(small_fs)
    r = mw.run_daemon("--once", "-d", timeout=120)
    not_crashed(r)
    queued = outbox(mw)
    assert len(queued) == 2, queued
    for row in queued:
        assert row["status"] == "queued" and row["sent_at"] is None, row
        assert row["attempts"] == 1, row
        assert "No space left on device" in row["last_error"], row
    assert maildir_files(maildir) == []
    assert list((maildir / "tmp").iterdir()) == []     # nothing left behind
    assert_intact(mw)
    # room again: the retry delivers each message exactly once
    filler.unlink()
    mw.now(BASE + HOUR)
    mw.run_daemon("--once", "-d", check=0, timeout=120)
    done = outbox(mw)
    assert all(row["status"] == "sent" for row in done), done
    assert sorted(message_ids_in(maildir)) == sorted(
        row["message_id"] for row in done)


@pytest.mark.parametrize("limit_kib", [256, 640, 1536])
def test_delivery_under_a_file_size_limit_marks_sent_only_what_was_written(
        mw, feeds, limit_kib):
    """RLIMIT_FSIZE limits the database, its WAL and the Maildir files
    alike (a disk full everywhere): at every limit the daemon ends without
    crashing, a row is marked sent only with its file in new/, and a later
    run without the limit delivers everything, twice at most for a row
    that was not yet marked sent (at-least-once)."""
    maildir = mw.dir / "Maildir"
    configure(mw)
    # many accounts without a feed or an observation (monitoring gaps)
    # make the admins' gap email and the digest far larger than the
    # smaller limits
    mw.now(REGISTERED)
    mw.add_unit("GOV", "武夷山市人民政府办公室", "--email", "gov@example.gov.cn")
    mw.run("account", "import", mw.write("l.csv", ledger(
        f"GOV,weibo,武夷山市某某单位的微博账号{i},u{i},,,,2024-01-01"
        for i in range(400))), check=0)
    mw.now(BASE)
    try:
        # unlimited, this run takes about a second
        r = run_with(mw, mw.daemon_path, ["--once", "-d"], timeout=30,
                     fsize=limit_kib * 1024)
    except subprocess.TimeoutExpired as e:
        log = (e.stderr or b"").decode("utf-8", "replace").splitlines()
        pytest.fail(f"mediawatchd --once did not end within 30 s under a "
                    f"{limit_kib} KiB file size limit; its last lines:\n"
                    + "\n".join(log[-5:]))
    not_crashed(r)
    assert r.returncode in (0, 1), r
    assert_intact(mw)
    sent = {row["message_id"] for row in outbox(mw) if row["status"] == "sent"}
    written = message_ids_in(maildir)
    assert sent <= set(written), (sent, written)
    assert len(written) == len(set(written))
    # without the limit, later: everything goes out
    mw.now(BASE + 3 * HOUR)
    mw.run_daemon("--once", "-d", check=0, timeout=120)
    done = outbox(mw)
    # the admins' gap email and digest, and when the limit stopped the
    # evaluation, the admins' email saying so
    kinds = sorted(row["kind"] for row in done)
    assert kinds in (["digest", "gap"], ["digest", "failure", "gap"]), done
    assert all(row["status"] == "sent" for row in done), done
    if "failure" in kinds:
        assert "评估失败" in next(row["subject"] for row in done
                                if row["kind"] == "failure")
    delivered = message_ids_in(maildir)
    assert set(delivered) == {row["message_id"] for row in done}
    for mid in sent:
        assert delivered.count(mid) == 1, mid
    assert_intact(mw)


# ------------------------------------------- 3. kill -9 across 50 cycles

KILL_CYCLES = 50
KILL_SEED = 20260302


class KillScenario:
    """20 accounts in 4 units; each cycle some post, some fail, some
    recover, and the clock moves on a day."""

    def __init__(self, mw, feeds, rng):
        self.mw, self.feeds, self.rng = mw, feeds, rng
        self.items = {}
        self.paths = {}
        self.failing = set()
        mw.now(REGISTERED)
        for u in range(4):
            mw.add_unit(f"U{u}", f"武夷山市第{u}局", "--email",
                        f"u{u}@example.gov.cn")
        for i in range(20):
            path = f"/k{i}.xml"
            acc = mw.open_account(f"U{i % 4}", "website", f"网站{i}",
                                  feed=feeds.url(path))
            self.paths[acc] = path
            # spread the last posts so accounts cross thresholds over time
            self.items[acc] = [(f"k{i}-0", BASE - (i * 2 + 3) * DAY)]
            self.publish(acc)

    def publish(self, acc):
        self.feeds.serve(self.paths[acc], rss(*self.items[acc]),
                         conditional=False)

    def step(self, now):
        """Random changes of the feeds for the cycle at now."""
        for acc in self.paths:
            roll = self.rng.random()
            if acc in self.failing and roll < 0.5:
                self.failing.discard(acc)
                self.publish(acc)
            elif roll < 0.1:
                self.failing.add(acc)
                self.feeds.serve(self.paths[acc], "boom\n", status=500,
                                 content_type="text/plain")
            elif roll < 0.25 and acc not in self.failing:
                self.items[acc].append(
                    (f"k{acc}-{len(self.items[acc])}", now - HOUR))
                self.publish(acc)


def start_once(mw):
    return subprocess.Popen(
        [str(mw.daemon_path), "-c", str(mw.conf_path), "--once", "-d"],
        env=mw._env(None), cwd=mw.dir, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(proc, timeout=90):
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err.decode("utf-8", "replace")


def test_kill_9_at_random_moments_across_50_cycles_loses_and_repeats_nothing(
        mw, feeds, smtp):
    rng = random.Random(KILL_SEED)
    configure(mw, mail={"transport": "smtp", "url": smtp.url,
                        "repeat_stale": "1d", "repeat_warning": "1d",
                        "digest_time": "00:00"})
    sc = KillScenario(mw, feeds, rng)
    # one undisturbed cycle measures how long a run takes
    mw.now(BASE)
    mw.run("poll", check=0)
    started = time.monotonic()
    mw.run_daemon("--once", "-d", check=0, timeout=90)
    typical = max(time.monotonic() - started, 0.05)
    assert smtp.messages, "the first cycle sent no mail"

    expected_names = {}           # account id -> name set between cycles
    expected_units = []
    marked_sent = []              # (messages received at the kill, sent ids)
    known_rows = set()
    kills = 0
    for cycle in range(1, KILL_CYCLES + 1):
        now = BASE + cycle * DAY
        # a registry change, committed before the daemon runs
        mw.now(now - HOUR)
        acc = rng.choice(sorted(sc.paths))
        name = f"网站{acc}-改名{cycle}"
        mw.run("account", "change", str(acc), "--name", name,
               "--reason", f"cycle {cycle}", check=0)
        expected_names[acc] = name
        if cycle % 5 == 0:
            code = f"N{cycle}"
            mw.add_unit(code, f"新单位{cycle}")
            expected_units.append(code)
        sc.step(now)
        mw.now(now)
        mw.run("poll", check=0)
        proc = start_once(mw)
        started = time.monotonic()
        # the random moment, within what a run takes now: a run that ends
        # before it teaches the test how long runs take on this machine
        # at this moment (later cycles send less mail than the first, and
        # the load of the machine changes)
        time.sleep(rng.uniform(0, 0.8 * typical))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        code, err = finish(proc)
        if code == 0:
            typical = max(time.monotonic() - started, 0.05)
        assert code in (0, -signal.SIGKILL), (code, err[-3000:])
        assert_intact(mw)
        box = outbox(mw)
        known_rows |= {row["id"] for row in box}
        marked_sent.append((len(smtp.messages),
                            {row["message_id"] for row in box
                             if row["status"] == "sent"}))
        # a restart at the same time finishes the cycle
        code, err = finish(start_once(mw))
        assert code == 0, err[-3000:]
        assert_intact(mw)
    assert kills >= KILL_CYCLES * 0.7, f"only {kills} runs were killed"

    # long after the last lease: everything still queued goes out
    mw.now(BASE + (KILL_CYCLES + 1) * DAY)
    mw.run_daemon("--once", "-d", check=0, timeout=90)
    box = outbox(mw)
    assert known_rows <= {row["id"] for row in box}, "outbox rows were lost"
    assert all(row["status"] == "sent" for row in box), [
        (r["id"], r["status"], r["last_error"]) for r in box
        if r["status"] != "sent"]
    delivered = smtp.message_ids()
    assert set(delivered) == {row["message_id"] for row in box}
    # nothing marked sent at a kill was ever delivered again after it
    for received, sent in marked_sent:
        again = sent & set(delivered[received:])
        assert not again, f"delivered again after being marked sent: {again}"
    # so a duplicate (at-least-once) is always of a row that was not yet
    # marked sent at the kill that interrupted its delivery
    extra = len(delivered) - len(set(delivered))
    assert len(delivered) == len(box) + extra
    print(f"{kills} kills, {len(box)} messages, {extra} delivered twice")
    # every registry change made between the kills is there
    for acc, name in expected_names.items():
        assert mw.account(acc)["name"] == name
    units = {u["code"] for u in mw.json("unit", "list")}
    assert set(expected_units) <= units
    history = mw.sql("SELECT count(*) FROM audit WHERE action LIKE '%change%'"
                     " AND entity LIKE 'account%'")
    assert history[0][0] >= KILL_CYCLES


# ------------------------------------------------ 4. file permissions

@pytest.mark.parametrize("umask", [0o007, 0o002, 0o000],
                         ids=["umask-007", "umask-002", "umask-000"])
def test_database_wal_and_maildir_are_never_world_accessible(
        mw, feeds, umask):
    maildir = mw.dir / "Maildir"
    configure(mw, mail={"maildir": str(maildir)})
    mw.now(REGISTERED)
    r = run_with(mw, mw.ctl_path, ["unit", "add", "GOV", "武夷山市人民政府办公室",
                                   "--email", "gov@example.gov.cn"],
                 umask=umask)
    assert r.returncode == 0, r
    path = "/p.xml"
    feeds.serve(path, rss(("p1", BASE - 20 * DAY)))
    run_with(mw, mw.ctl_path, ["account", "open", "--unit", "GOV",
                               "--platform", "website", "--name", "网站",
                               "--feed", feeds.url(path)], umask=umask)
    mw.now(BASE)
    # the long-running daemon keeps the database open: -wal and -shm exist
    proc = subprocess.Popen(
        [str(mw.daemon_path), "-c", str(mw.conf_path), "-d"],
        env=mw._env(None), cwd=mw.dir, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        preexec_fn=preexec(umask=umask))
    try:
        wal = Path(str(mw.db_path) + "-wal")
        shm = Path(str(mw.db_path) + "-shm")
        wait_until(lambda: wal.exists() and shm.exists(), what="-wal and -shm")
        wait_until(lambda: maildir_files(maildir), what="mail in the Maildir")
        for p in (mw.db_path, wal, shm):
            mode = stat.S_IMODE(p.stat().st_mode)
            assert mode & 0o007 == 0, (p, oct(mode))
            assert mode & 0o060 == 0o060, (p, oct(mode))
        for p in [maildir] + [maildir / d for d in ("tmp", "new", "cur")]:
            mode = stat.S_IMODE(p.stat().st_mode)
            assert mode & 0o007 == 0, (p, oct(mode))
            assert mode & 0o070 == 0o070, (p, oct(mode))
        for p in maildir_files(maildir):
            mode = stat.S_IMODE(p.stat().st_mode)
            assert mode & 0o007 == 0, (p, oct(mode))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)


# ---------------------------------------------------------- 5. secrets

SECRET = "Pa55-mediawatch-Tr0ub4dor&3-secret"


class AuthRefusingSMTP:
    """An SMTP server that requires STARTTLS and AUTH and refuses every
    login, recording what the client sent."""

    def __init__(self, directory):
        self.attempts = []
        self.port = free_port()
        self.url = f"smtp+starttls://127.0.0.1:{self.port}"
        ca = TestCA(directory)
        self.ca_file = str(ca.cert)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(*ca.server_cert("smtp"))

        def authenticator(server, session, envelope, mechanism, auth_data):
            self.attempts.append((mechanism, auth_data.login,
                                  auth_data.password))
            return AuthResult(success=False, handled=False)

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                return "250 OK"

        self.controller = Controller(
            Handler(), hostname="127.0.0.1", port=self.port,
            authenticator=authenticator, auth_required=True,
            tls_context=tls, require_starttls=True, ready_timeout=10)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def secret_forms(user):
    """The password as it could leak: raw, and as AUTH PLAIN / LOGIN put
    it on the wire."""
    return [SECRET, base64.b64encode(SECRET.encode()).decode(),
            base64.b64encode(f"\0{user}\0{SECRET}".encode()).decode()]


def assert_no_secret(text, where, user):
    for form in secret_forms(user):
        assert form not in text, f"the password shows in {where}"


def test_smtp_password_never_shows_in_logs_json_or_the_database(mw, feeds):
    user = "mediawatch-bot"
    pw_file = mw.write("smtp-password", SECRET + "\n")
    with AuthRefusingSMTP(mw.dir / "tls") as server:
        configure(mw, mail={"transport": "smtp", "url": server.url,
                            "ca_file": server.ca_file,
                            "username": user, "password_file": str(pw_file)})
        stale_unit(mw, feeds)
        r = mw.run_daemon("--once", "-d", "-vv", timeout=120)
        not_crashed(r)
        # the password really was read and offered ...
        assert server.attempts, "the client never tried to log in"
        assert {(login, password) for _, login, password in
                server.attempts} == {(user.encode(), SECRET.encode())}
    # ... refused, so the mail stays queued with an error
    box = outbox(mw)
    assert box and all(row["status"] == "queued" and row["last_error"]
                       for row in box), box
    outputs = {"mediawatchd -d -vv stderr": r.stderr + r.stdout}
    outputs["outbox list --json"] = mw.run("--json", "outbox", "list",
                                           check=0).stdout
    for row in box:
        outputs[f"outbox show {row['id']} --json"] = mw.run(
            "--json", "outbox", "show", str(row["id"]), check=0).stdout
    outputs["status --json"] = mw.run("--json", "status", check=0).stdout
    check = mw.run("check-config")
    outputs["check-config"] = check.stdout + check.stderr
    check_n = mw.run_daemon("-n", "-vv")
    outputs["mediawatchd -n -vv"] = check_n.stdout + check_n.stderr
    for where, text in outputs.items():
        assert_no_secret(text, where, user)
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(mw.db_path) + suffix)
        if p.exists():
            data = p.read_bytes()
            for form in secret_forms(user):
                assert form.encode() not in data, f"the password is in {p}"
    assert SECRET not in mw.conf_path.read_text()


# ------------------------------------- 6. hostile configuration files

def binaries():
    dirs = [("build", BUILD)]
    san = os.environ.get("MEDIAWATCH_BUILD_SAN")
    if san:
        dirs.append(("build-san", Path(san)))
    return dirs


def nested(depth):
    return "deep = " + "{ a = " * depth + "1;" + " };" * depth + "\n"


def hostile_configs(mw):
    """name -> config path (files written in mw.dir)."""
    base = f'database = "{mw.db_path}";\nstate_dir = "{mw.state_dir}";\n'
    mb = "x" * (1024 * 1024)
    out = {
        "one-mb-timezone": base + f'timezone = "{mb}";\n',
        "one-mb-from": base + f'mail = {{ from = "{mb}@example.gov.cn"; }};\n',
        "one-mb-key": base + f"{'k' * (1024 * 1024)} = 1;\n",
        "from-not-an-address": base + 'mail = { from = "nobody"; };\n',
        "from-with-crlf": base + 'mail = { from = "Bot <bot@example.gov.cn>'
        '\\r\\nBcc: evil@example.com"; };\n',
        "nested-200": base + nested(200),
        "nested-100000": base + nested(100000),
        "binary-nul": (base + "mail = { from = \"a\0b\"; };\n").encode()
        + b"\0\0\xff\xfe\x00garbage\x00",
        "invalid-utf8-value": base.encode()
        + b'timezone = "Asia/\xff\xfeShanghai";\n',
        "invalid-utf8-key": base.encode() + b"\xc0\xaf = 1;\n",
        "random-bytes": bytes(random.Random(8).randrange(256)
                              for _ in range(65536)),
        "include-itself": None,        # written below
        "include-binary": base + '@include "/bin/sh"\n',
    }
    paths = {}
    for name, text in out.items():
        paths[name] = mw.dir / f"{name}.conf"
        if text is not None:
            mw.write(paths[name].name, text)
    paths["include-itself"].write_text(
        base + f'@include "{paths["include-itself"]}"\n')
    directory = mw.dir / "a-directory.conf"
    directory.mkdir()
    paths["directory"] = directory
    regular = mw.write("plain-file", "x")
    paths["below-a-regular-file"] = regular / "mediawatch.conf"
    paths["missing"] = mw.dir / "no" / "such.conf"
    return paths


HOSTILE_CONFIGS = ["one-mb-timezone", "one-mb-from", "one-mb-key",
                   "from-not-an-address", "from-with-crlf",
                   "nested-200", "nested-100000",
                   "binary-nul", "invalid-utf8-value", "invalid-utf8-key",
                   "random-bytes", "include-itself", "include-binary",
                   "directory", "below-a-regular-file", "missing"]


@pytest.mark.parametrize("build", [b[1] for b in binaries()],
                         ids=[b[0] for b in binaries()])
@pytest.mark.parametrize("case", HOSTILE_CONFIGS)
def test_hostile_config_is_refused_naming_the_file(mw, case, build):
    path = hostile_configs(mw)[case]
    # an error inside an included file names that file
    named = "/bin/sh" if case == "include-binary" else str(path)[:60]
    for argv in ([build / "mediawatchctl", "-c", path, "check-config"],
                 [build / "mediawatchd", "-c", path, "-n"],
                 [build / "mediawatchctl", "-c", path, "unit", "list"]):
        r = mw.exec(argv, timeout=60)
        not_crashed(r)
        assert r.returncode == 1, (argv[0].name, r.returncode,
                                   r.stderr[-2000:])
        # the file is named (long paths may be cut: the start is enough)
        assert named in r.stderr, (argv[0].name, r.stderr[-2000:])
        assert len(r.stderr) < 64 * 1024, "the error repeats the input"
    assert not mw.db_path.exists()


def test_database_path_of_one_mb_fails_cleanly_when_used(mw):
    mw.write_config("")
    mw.conf_path.write_text(f'database = "{mw.dir}/{"x" * (1024 * 1024)}";\n')
    for argv in ([mw.ctl_path, "-c", mw.conf_path, "unit", "list"],
                 [mw.daemon_path, "-c", mw.conf_path, "--once", "-d"]):
        r = mw.exec(argv, timeout=60)
        not_crashed(r)
        assert r.returncode == 1, (argv[0].name, r.returncode)
        assert "File name too long" in r.stderr, r.stderr[-300:]
    assert [p.name for p in mw.dir.iterdir() if p.name.startswith("xxx")] == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a mode 000 file")
def test_unreadable_config_is_refused_naming_the_file(mw):
    mw.conf_path.chmod(0)
    r = mw.run("check-config")
    assert r.returncode == 1 and str(mw.conf_path) in r.stderr, r


# ------------------------------------------------ hostile arguments

# execve refuses one argument of MAX_ARG_STRLEN (128 KiB) or more, so the
# longest single argument is just below; 1 MB comes as many arguments.
LONG = "长" * (131000 // 3)
LONG_ASCII = "x" * 131000

HOSTILE_ARGS = [
    # id, arguments (bytes allowed), expected exit statuses
    ("long-unit-name", ["unit", "add", "NEW", LONG], {1}),
    ("long-unit-code", ["unit", "add", LONG_ASCII, "名字"], {1}),
    ("long-account-name", ["account", "open", "--unit", "GOV", "--platform",
                           "douyin", "--name", LONG], {1}),
    ("long-feed-url", ["account", "open", "--unit", "GOV", "--platform",
                       "douyin", "--name", "x", "--feed",
                       "http://example.gov.cn/" + LONG_ASCII], {1}),
    ("long-uid", ["account", "open", "--unit", "GOV", "--platform", "douyin",
                  "--name", "x", "--uid", LONG_ASCII], {1}),
    ("long-reason", ["account", "close", "1", "--reason", LONG], {0, 1}),
    ("long-email", ["unit", "add", "NEW", "名字", "--email",
                    LONG_ASCII + "@example.gov.cn"], {1}),
    ("one-mb-of-emails", ["unit", "add", "NEW", "名字"]
     + [x for i in range(8) for x in ("--email", LONG_ASCII[:-20] + f"{i}@e.cn")],
     {1}),
    ("long-option-name", ["account", "list", "--" + LONG_ASCII], {2}),
    ("long-command", [LONG_ASCII], {2}),
    ("long-id", ["account", "show", "9" * 131000], {2}),
    ("long-db-path", ["--db", "/tmp/" + LONG_ASCII, "account", "list"], {1}),
    ("invalid-utf8-unit-name", ["unit", "add", "NEW", b"\xff\xfe\xc0\xaf"],
     {1}),
    ("invalid-utf8-unit-code", ["unit", "add", b"N\xffW", "名字"], {1}),
    ("invalid-utf8-account-name", ["account", "open", "--unit", "GOV",
                                   "--platform", "douyin", "--name",
                                   b"\xe6\xad"], {1}),
    ("invalid-utf8-platform", ["account", "open", "--unit", "GOV",
                               "--platform", b"\xff", "--name", "x"], {1}),
    ("invalid-utf8-reason", ["account", "close", "1", "--reason",
                             b"\xed\xa0\x80"], {1}),
    ("overlong-slash-in-name", ["unit", "change", "GOV", "--name",
                                b"a\xc0\xafb"], {1}),
]


@pytest.mark.parametrize("args, statuses", [c[1:] for c in HOSTILE_ARGS],
                         ids=[c[0] for c in HOSTILE_ARGS])
def test_hostile_argument_is_refused_and_stores_nothing(mw, args, statuses):
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    mw.open_account("GOV", "weibo", "武夷山发布", uid="1")
    before = mw.dump()
    argv = [os.fsencode(str(mw.ctl_path)), b"-c", os.fsencode(str(mw.conf_path))]
    argv += [a if isinstance(a, bytes) else a.encode() for a in args]
    proc = subprocess.run(argv, capture_output=True, env=mw._env(None),
                          cwd=mw.dir,
                          stdin=subprocess.DEVNULL, timeout=60)
    r = subprocess.CompletedProcess(argv, proc.returncode,
                                    proc.stdout.decode("utf-8", "replace"),
                                    proc.stderr.decode("utf-8", "replace"))
    not_crashed(r)
    assert r.returncode in statuses, (r.returncode, r.stderr[-2000:])
    if r.returncode != 0:
        assert r.stderr.strip(), "refused without a message"
        assert r.stdout == ""
        assert len(r.stderr) < 300 * 1024
        assert mw.dump() == before
    assert_intact(mw)


# -------------------------------------------- 7. hostile feed headers

TEN_KB = "A" * 10240
HOSTILE_HEADERS = [
    # id, headers of the 200 answer
    ("etag-10kb", {"ETag": f'"{TEN_KB}"'}),
    ("etag-unquoted-latin1", {"ETag": "\xff\xfe\x80abc"}),
    ("last-modified-10kb", {"Last-Modified": "Tue, 10 Nov 2022 " + TEN_KB}),
    ("last-modified-garbage", {"Last-Modified": "\x7f\x01 yesterday-ish"}),
    ("charset-path", {"Content-Type":
                      "application/rss+xml; charset=../../etc/passwd"}),
    ("charset-10kb", {"Content-Type": "text/xml; charset=" + TEN_KB}),
    ("content-type-10kb", {"Content-Type": TEN_KB}),
    ("many-headers", {f"X-Filler-{i}": "y" * 100 for i in range(500)}),
    ("retry-after-huge", {"Retry-After": "9" * 400}),
    ("content-encoding-unknown", {"Content-Encoding": "x-evil"}),
]


@pytest.fixture
def hw(mw):
    configure(mw, poll={"timeout": "5s"})
    mw.now(REGISTERED)
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    return mw


def feed_state(mw, acc):
    return rows(mw, "SELECT * FROM feed_state WHERE account_id = ?", (acc,))[0]


def assert_sane_result(mw, acc, when):
    st = feed_state(mw, acc)
    posts = mw.sql("SELECT count(*) FROM post WHERE account_id = ?", (acc,))
    if st["last_error"] is None:
        assert posts == [(1,)], (st, posts)
        assert mw.sql("SELECT last_update_at FROM account WHERE id = ?",
                      (acc,)) == [(when,)]
    else:
        assert posts == [(0,)], (st, posts)
        assert len(st["last_error"]) < 2048, st["last_error"]
        assert "\n" not in st["last_error"]
    for key in ("etag", "last_modified"):
        if key in st and st[key] is not None:
            assert len(st[key]) <= 16 * 1024, (key, len(st[key]))
    return st


@pytest.mark.parametrize("headers", [c[1] for c in HOSTILE_HEADERS],
                         ids=[c[0] for c in HOSTILE_HEADERS])
def test_hostile_response_headers_give_a_sane_result(hw, feeds, headers):
    when = BASE - DAY
    body = rss(("h1", when))
    path = "/h.xml"
    feeds.serve(path, body, headers=headers, conditional=False)
    acc = hw.open_account("GOV", "website", "网站", feed=feeds.url(path))
    hw.now(BASE)
    r = hw.run_daemon("--once", "-d", timeout=90)
    not_crashed(r)
    assert r.returncode == 0, r.stderr[-2000:]
    st = assert_sane_result(hw, acc, when)
    # a validator is kept whole or not at all, never cut
    if "ETag" in headers and st["etag"] is not None:
        assert st["etag"] == headers["ETag"]
    # and the next poll, carrying whatever validators were kept, too
    hw.now(BASE + 2 * HOUR)
    hw.run("poll", check=0)
    r = hw.run_daemon("--once", "-d", timeout=90)
    not_crashed(r)
    assert r.returncode == 0, r.stderr[-2000:]
    assert len(feeds.requests_for(path)) == 2
    assert_sane_result(hw, acc, when)
    assert_intact(hw)


def test_location_with_spaces_is_followed_or_refused_sanely(hw, feeds):
    when = BASE - DAY
    feeds.serve("/a%20b.xml", rss(("s1", when)))
    feeds.redirect("/moved.xml", "/a b.xml")
    acc = hw.open_account("GOV", "website", "网站", feed=feeds.url("/moved.xml"))
    hw.now(BASE)
    r = hw.run_daemon("--once", "-d", timeout=90)
    not_crashed(r)
    assert r.returncode == 0, r.stderr[-2000:]
    assert_sane_result(hw, acc, when)


def test_location_with_control_bytes_and_10kb_is_refused_sanely(hw, feeds):
    feeds.redirect("/moved.xml", "http://127.0.0.1:1/" + TEN_KB + "\x01\x7f")
    acc = hw.open_account("GOV", "website", "网站", feed=feeds.url("/moved.xml"))
    hw.now(BASE)
    r = hw.run_daemon("--once", "-d", timeout=90)
    not_crashed(r)
    assert r.returncode == 0, r.stderr[-2000:]
    st = assert_sane_result(hw, acc, None)
    assert st["last_error"], st
