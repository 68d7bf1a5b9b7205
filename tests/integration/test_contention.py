"""No write lost to a lock (issue 19): admin commands writing while
mediawatchd, in service mode, polls hundreds of feeds on loopback.

SQLite gives SQLITE_BUSY at once, without waiting for its busy timeout,
to a write on a connection whose read statement is still open outside a
transaction begun before it (it cannot upgrade that read lock without
risking a deadlock).  Such code works while the database is quiet and
loses writes under load: the poller's leases and results, the outbox's
marks.  Here two loops of `mediawatchctl account change --reason`,
`problem add` and `poll`, and a third of `account import --dry-run` of a
large ledger (which holds the write lock while it checks every row, as
a real import does), run against the daemon, bounded in count and in
time.  A few feeds answer 503 with Retry-After: 1, so the poller starts
a sweep every second (the moment it writes its leases), and each `poll`
makes the next sweep fetch every feed again.  Then:

- every admin command succeeded, and each change is in the database;
- the daemon logged no "database is locked", no result it could not
  commit, and no write attempted under an open read (the store reports
  those whether or not the lock happened to be free);
- every feed response the server sent is a result the daemon recorded;
- the evaluation ran and recorded every account's state.

Real time: the daemon runs as a service would, not --once.
"""

import csv
import io
import re
import signal
import sqlite3
import subprocess
import threading
import time
from email.utils import formatdate

import pytest

from feedserver import feeds  # noqa: F401  (fixture)

N_FEEDS = 300             # healthy feeds
N_BUSY = 10               # feeds answering 503, Retry-After: 1
ROUNDS = 150              # per admin loop; each round is three commands
LOOPS = 2
IMPORT_ROWS = 3000        # rows of the ledger the third loop checks
ADMIN_DEADLINE = 30.0     # seconds for all the admin rounds
SETTLE_TIMEOUT = 60.0
LOCK_MESSAGES = re.compile(r"database is locked|is still reading|could not "
                           r"be (committed|stored|recorded)|rolled back")


def rss(guid, when):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>t</title><item><guid>{guid}</guid><title>动态 {guid}</title>"
        f"<pubDate>{formatdate(when, usegmt=True)}</pubDate></item>"
        "</channel></rss>\n")


def big_ledger(n):
    """n accounts of GOV without a feed (they are never polled)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["unit_code", "platform", "name", "platform_uid", "feed_url",
                "operator", "filing_no", "opened_on"])
    for i in range(n):
        w.writerow(["GOV", "wechat", f"待开设{i:04d}", f"gh_{i:08x}", "", "",
                    "", "2020-01-01"])
    return out.getvalue()


def ledger(feeds, n, busy):
    """A ledger CSV of n accounts of unit GOV with a healthy feed each
    (/feed/I.xml), and busy more whose feed answers 503 (/busy/I.xml)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["unit_code", "platform", "name", "platform_uid", "feed_url",
                "operator", "filing_no", "opened_on"])
    for i in range(n + busy):
        if i < n:
            path = f"/feed/{i}.xml"
            feeds.serve(path, rss(f"p{i}", time.time() - 3600),
                        etag=f'"v{i}"')
        else:
            path = f"/busy/{i}.xml"
            feeds.serve(path, "busy\n", status=503,
                        content_type="text/plain",
                        headers={"Retry-After": "1"})
        w.writerow(["GOV", "weibo", f"账号{i:03d}", f"uid{i}",
                    feeds.url(path), "", "", "2020-01-01"])
    return out.getvalue()


def query(mw, sql, params=()):
    con = sqlite3.connect(mw.db_path, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def wait_until(predicate, timeout, what, log_path=None):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            log = log_path.read_text("utf-8", "replace")[-4000:] \
                if log_path else ""
            pytest.fail(f"timed out waiting for {what}\n{log}")
        time.sleep(0.1)


def served(feeds):
    """Healthy feed responses the server sent: 200 or 304."""
    return sum(1 for r in list(feeds.requests)
               if r.path.startswith("/feed/") and r.response in (200, 304))


def recorded(mw):
    """Successful fetch results the daemon committed."""
    ((n,),) = query(mw, "SELECT coalesce(sum(successes), 0) FROM feed_state")
    return n


def admin_loop(mw, loop, accounts, deadline, results):
    """ROUNDS rounds of three admin writes, or until deadline; each result
    is (command, account, exit status, stderr, seconds)."""
    for k in range(ROUNDS):
        if time.monotonic() > deadline:
            break
        acc = accounts[(loop * ROUNDS + k) % len(accounts)]
        for argv in (
                ["account", "change", str(acc), "--operator",
                 f"运维{loop}-{k}", "--reason", f"人员轮换 {loop}-{k}"],
                ["problem", "add", "--account", str(acc), "--detail",
                 f"人工抽查发现问题 {loop}-{k}"],
                ["poll"]):
            t0 = time.monotonic()
            r = mw.run(*argv)
            results.append((argv[0], acc, r.returncode, r.stderr,
                            round(time.monotonic() - t0, 2)))


def import_loop(mw, path, deadline, stop, results):
    """Dry-run imports, each holding the write lock for a while, until the
    other loops are done or the deadline."""
    while not stop.is_set() and time.monotonic() < deadline:
        t0 = time.monotonic()
        r = mw.run("account", "import", path, "--dry-run")
        results.append(("import", 0, r.returncode, r.stderr,
                        round(time.monotonic() - t0, 2)))


def test_admin_writes_against_a_polling_daemon_lose_nothing_to_the_lock(
        mw, feeds):
    mw.write_config(
        "poll = { interval = \"1h\"; jitter = 0; concurrency = 64;"
        " per_host = 64; timeout = \"10s\"; connect_timeout = \"5s\"; };\n"
        f'mail = {{ transport = "maildir"; maildir = "{mw.dir}/Maildir";'
        ' from = "mediawatch@example.gov.cn"; };\n')
    mw.add_unit("GOV", "市政府办公室", "--email", "gov@example.gov.cn")
    mw.run("account", "import", mw.write("ledger.csv",
                                         ledger(feeds, N_FEEDS, N_BUSY)),
           check=0)
    accounts = [a for (a,) in query(mw, "SELECT id FROM account ORDER BY id")]
    assert len(accounts) == N_FEEDS + N_BUSY

    log_path = mw.dir / "mediawatchd.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [mw.daemon_path, "-c", mw.conf_path, "-d", "-v"],
            env=mw._env(None), cwd=mw.dir, stdin=subprocess.DEVNULL,
            stdout=log, stderr=log)
    try:
        # the first sweep: every feed fetched and evaluated once
        wait_until(lambda: recorded(mw) >= N_FEEDS, SETTLE_TIMEOUT,
                   "the first sweep", log_path)

        results = []
        big = mw.write("big.csv", big_ledger(IMPORT_ROWS))
        deadline = time.monotonic() + ADMIN_DEADLINE
        stop = threading.Event()
        loops = [threading.Thread(target=admin_loop,
                                  args=(mw, i, accounts, deadline, results))
                 for i in range(LOOPS)]
        importer = threading.Thread(target=import_loop,
                                    args=(mw, big, deadline, stop, results))
        for t in loops + [importer]:
            t.start()
        for t in loops:
            t.join()
        stop.set()
        importer.join()
        assert proc.poll() is None, log_path.read_text()

        failed = [r for r in results if r[2] != 0]
        assert failed == [], failed
        rounds = sum(1 for r in results if r[0] == "poll")
        assert rounds >= 10, f"only {rounds} rounds ran before the deadline"

        # the last `poll` swept, and every response sent is recorded
        now = time.time()
        wait_until(lambda: query(
            mw, "SELECT count(*) FROM feed_state WHERE next_poll_at <= ? AND"
            " account_id IN (SELECT id FROM account WHERE feed_url LIKE"
            " '%/feed/%')", (now,))[0][0] == 0 and
            served(feeds) == recorded(mw),
            SETTLE_TIMEOUT, "the daemon to record every fetch", log_path)
        assert served(feeds) >= N_FEEDS * 5, served(feeds)

        # ... and it evaluated them: a cycle after the last sweep
        wait_until(lambda: query(mw, "SELECT count(*) FROM account_state")
                   [0][0] == N_FEEDS + N_BUSY, SETTLE_TIMEOUT,
                   "the evaluation", log_path)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    text = log_path.read_text("utf-8", "replace")
    assert LOCK_MESSAGES.findall(text) == [], [
        line for line in text.splitlines() if LOCK_MESSAGES.search(line)][:20]
    # every admin change is there, once
    changes = sum(1 for r in results if r[0] == "account")
    adds = sum(1 for r in results if r[0] == "problem")
    assert query(mw, "SELECT count(*) FROM audit WHERE reason LIKE '人员轮换 %'"
                 )[0][0] == changes
    assert query(mw, "SELECT count(*) FROM problem WHERE kind = 'manual'"
                 )[0][0] == adds
    assert query(mw, "SELECT count(*) FROM health WHERE job = 'evaluation'"
                 " AND failed_at IS NULL")[0][0] == 1
