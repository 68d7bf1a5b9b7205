"""The installed service under a real systemd (Debian 12's systemd 252).

The tests run in file order on one container (conftest.py) and follow an
administrator's day: the user and directories from sysusers and tmpfiles,
`systemctl enable --now` in the default maildir setup (no SMTP password
file), the status line, reloads with a good and a broken configuration,
an administrator in the mediawatch group registering a unit and an
account while the service runs, one poll cycle that finds the account
stale and writes the alert into the Maildir, a watchdog restart, the
journal's priority filter, a stop, the SMTP password handed over as a
credential by the documented drop-in, and the monthly bulletin unit.

Every wait polls a condition (systemctl show, the journal after a cursor,
the database through mediawatchctl, a file) until it holds or a deadline
passes; a failure says what it saw.
"""

import email
import email.policy
import json
import re
import sys
import time
from datetime import datetime
from email.utils import formatdate
from zoneinfo import ZoneInfo

import pytest

from conftest import ADMIN, REPO

sys.path.insert(0, str(REPO / "tests" / "fixtures"))
from testca import TestCA  # noqa: E402

UNIT = "mediawatchd"
CONF = "/etc/mediawatch/mediawatch.conf"
STATE = "/var/lib/mediawatch"
FEED_PORT = 8080
SMTP_PORT = 2525
SMTP_CA = "/etc/mediawatch/office-ca.pem"
SMTP_PASSWORD = "Wys-2026 smtp!"
GOOD_FROM = "jiankong@wys.example.gov.cn"
BROKEN_FROM = "broken@wys.example.gov.cn"
STALE_AGE = 20 * 86400              # between stale (14 d) and dormant (90 d)
START_TIMEOUT = 30.0
# The daemon reads the registry at least every 30 s when idle.
CYCLE_TIMEOUT = 60.0
STOP_BOUND = 5.0                    # nothing in flight: it stops at once
WATCHDOG_DROPIN = f"/etc/systemd/system/{UNIT}.service.d/50-watchdog-test.conf"

# What the tests hand on to the ones after them.
seen = {}


def earlier(key):
    if key not in seen:
        pytest.fail(f"needs '{key}' from an earlier test of this file, "
                    "which failed or was not selected")
    return seen[key]


# ------------------------------------------------------------ helpers

def wait_for(what, probe, timeout, explain=None, until=bool):
    """Polls probe() until until(value) holds (by default: the value is
    true) and returns the value; fails with the last value it returned
    (and explain(), when given) at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        got = probe()
        if until(got):
            return got
        if time.monotonic() > deadline:
            extra = f"\n{explain()}" if explain else ""
            pytest.fail(f"no {what} after {timeout:.0f} s; last saw: "
                        f"{got!r}{extra}")
        time.sleep(0.2)


def show(m, *props, unit=UNIT):
    out = m.run(["systemctl", "show", unit, "--no-pager",
                 *(f"--property={p}" for p in props)]).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def journal_cursor(m):
    out = m.run(["journalctl", "--no-pager", "-n", "1", "-o", "json"]).stdout
    return json.loads(out.strip().splitlines()[-1])["__CURSOR"]


def journal(m, *args, after=None, unit=UNIT):
    """The unit's journal entries as dicts (MESSAGE as text)."""
    cmd = ["journalctl", "--no-pager", "-o", "json", "-u", unit, *args]
    if after:
        cmd.append(f"--after-cursor={after}")
    entries = []
    for line in m.run(cmd).stdout.splitlines():
        e = json.loads(line)
        if isinstance(e.get("MESSAGE"), list):        # not UTF-8
            e["MESSAGE"] = bytes(e["MESSAGE"]).decode("utf-8", "replace")
        entries.append(e)
    return entries


def messages(entries):
    return [e.get("MESSAGE", "") for e in entries]


def journal_text(m, *args):
    return m.run(["journalctl", "--no-pager", "-u", UNIT, *args]).stdout


def warnings_tail(m):
    return "journal (-p warning):\n" + journal_text(m, "-p", "warning",
                                                    "-n", "30")


def wait_journal(m, cursor, what, match, timeout=START_TIMEOUT):
    """Waits for an entry after cursor whose MESSAGE satisfies match."""
    def probe():
        hits = [e for e in journal(m, after=cursor)
                if match(e.get("MESSAGE", ""))]
        return hits or None
    return wait_for(f"journal entry {what}", probe, timeout,
                    lambda: "\n".join(messages(journal(m, after=cursor))))


def ctl(m, *args, user=ADMIN, **kw):
    return m.run(["mediawatchctl", *args], user=user, **kw)


def ctl_json(m, *args, user=ADMIN):
    return json.loads(ctl(m, "--json", *args, user=user).stdout)


def assert_running(m, pid=None):
    s = show(m, "ActiveState", "SubState", "MainPID")
    assert (s["ActiveState"], s["SubState"]) == ("active", "running"), s
    if pid is not None:
        assert s["MainPID"] == pid, f"the daemon was restarted: {s}"
    return s["MainPID"]


def mode(m, path):
    return m.run(["stat", "-c", "%a %U %G", path]).stdout.strip()


def rss(title, published):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0"><channel><title>test</title>'
            f'<item><guid>{title}</guid><title>{title}</title>'
            f'<pubDate>{formatdate(published, usegmt=True)}</pubDate></item>'
            '</channel></rss>\n')


def shipped_conf(m):
    text = m.read(CONF)
    assert '\tfrom = "mediawatch@localhost";\n' in text, \
        "the installed configuration has no default mail.from line"
    return text


# ------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def feeds(machine):
    """A loopback feed server in the container (a transient unit), serving
    stale.xml and stale2.xml: one item each, published STALE_AGE ago."""
    m = machine
    published = int(time.time()) - STALE_AGE
    for name in ("stale.xml", "stale2.xml"):
        m.write(f"/srv/feeds/{name}", rss(f"旧文章 {name}", published))
    m.run(["systemd-run", "--unit=mw-feeds", "--", "python3", "-m",
           "http.server", str(FEED_PORT), "--bind", "127.0.0.1",
           "--directory", "/srv/feeds"])
    probe = ["python3", "-c", "import socket, sys; socket.create_connection"
             f"(('127.0.0.1', {FEED_PORT}), 1)"]
    wait_for("feed server on loopback",
             lambda: m.run(probe, check=False).returncode == 0, START_TIMEOUT,
             lambda: m.run(["systemctl", "status", "mw-feeds", "--no-pager"],
                           check=False).stdout)
    return {"url": f"http://127.0.0.1:{FEED_PORT}", "published": published}


# ------------------------------------------------------------ the checks

def test_sysusers_and_tmpfiles(machine):
    m = machine
    user = m.run(["getent", "passwd", "mediawatch"]).stdout.strip().split(":")
    group = m.run(["getent", "group", "mediawatch"]).stdout.strip().split(":")
    assert int(user[2]) < 1000, f"not a system user: {user}"
    assert user[3] == group[2], f"primary group is not mediawatch: {user}"
    assert user[5:] == ["/var/lib/mediawatch", "/usr/sbin/nologin"], user
    assert mode(m, STATE) == "2770 mediawatch mediawatch"
    assert mode(m, f"{STATE}/bulletins") == "2770 mediawatch mediawatch"
    assert mode(m, f"{STATE}/mediawatch.db") == "660 mediawatch mediawatch"
    assert m.run(["stat", "-c", "%s", f"{STATE}/mediawatch.db"]
                 ).stdout.strip() == "0"
    assert mode(m, "/etc/mediawatch") == "755 root root"


def test_enable_now_starts_without_smtp_password(machine):
    """The default maildir setup has no /etc/mediawatch/smtp-password; the
    shipped unit must start all the same."""
    m = machine
    assert m.run(["test", "-e", "/etc/mediawatch/smtp-password"],
                 check=False).returncode == 1
    r = m.run(["systemctl", "enable", "--now", UNIT], check=False,
              timeout=START_TIMEOUT + 30)
    s = show(m, "ActiveState", "SubState", "Result", "ExecMainStatus",
             "Type", "UnitFileState", "StatusText")
    assert r.returncode == 0 and s["ActiveState"] == "active", (
        f"enable --now: exit {r.returncode}, {r.stderr}\n{s}\n"
        + m.run(["systemctl", "status", UNIT, "--no-pager"],
                check=False).stdout)
    assert s["Type"] == "notify"
    assert s["SubState"] == "running", s
    assert s["UnitFileState"] == "enabled", s
    # READY=1 came with the database migrated and the loop running
    assert m.run(["systemctl", "is-active", UNIT]).stdout.strip() == "active"
    assert mode(m, f"{STATE}/mediawatch.db") == "660 mediawatch mediawatch"
    assert m.run(["stat", "-c", "%s", f"{STATE}/mediawatch.db"]
                 ).stdout.strip() != "0", "the database was not created"
    seen["pid"] = assert_running(m)


STATUS_RE = re.compile(r"\d+ active accounts, \d+ stale, \d+ dormant, "
                       r"\d+ failing feeds, next poll \S+")


def test_status_shows_status_text(machine):
    m = machine
    out = m.run(["systemctl", "status", UNIT, "--no-pager"]).stdout
    line = [ln for ln in out.splitlines() if "Status:" in ln]
    assert line, f"no Status: line in systemctl status:\n{out}"
    assert STATUS_RE.search(line[0]), line[0]
    assert '"0 active accounts, 0 stale, 0 dormant, 0 failing feeds' in line[0]


def test_reload_with_a_good_configuration(machine):
    m = machine
    original = shipped_conf(m)
    m.write("/root/mediawatch.conf.orig", original)
    good = original.replace('\tfrom = "mediawatch@localhost";',
                            f'\tfrom = "{GOOD_FROM}";')
    m.write(CONF, good)
    m.run(["mediawatchd", "-n"])
    cursor = journal_cursor(m)
    m.run(["systemctl", "reload", UNIT])
    wait_journal(m, cursor, "'configuration reloaded'",
                 lambda t: t == f"configuration reloaded from {CONF}")
    assert_running(m, earlier("pid"))
    seen["good_conf"] = good


def test_reload_with_a_broken_configuration_is_refused(machine):
    m = machine
    good = earlier("good_conf")
    lines = good.replace(f'\tfrom = "{GOOD_FROM}";',
                         f'\tfrom = "{BROKEN_FROM}";').split("\n")
    bad_line = next(i for i, ln in enumerate(lines, 1)
                    if ln == '\tinterval = "1h";')
    lines[bad_line - 1] = '\tinterval = "every hour";'
    m.write(CONF, "\n".join(lines))
    where = f"{CONF}:{bad_line}:"
    check = m.run(["mediawatchd", "-n"], check=False)
    assert check.returncode == 1 and where in check.stderr + check.stdout, \
        f"mediawatchd -n: exit {check.returncode}\n{check.stderr}"

    cursor = journal_cursor(m)
    m.run(["systemctl", "reload", UNIT])
    wait_journal(m, cursor, "refusing the reload",
                 lambda t: "keeping the one in force" in t)
    after = journal(m, after=cursor)
    located = [e for e in after if e["MESSAGE"].startswith(where)]
    assert located, f"no {where} error in the journal:\n" + \
        "\n".join(messages(after))
    assert located[0]["PRIORITY"] == "4", located[0]
    assert not [t for t in messages(after) if "configuration reloaded" in t]
    assert_running(m, earlier("pid"))
    seen["refused"] = located[0]["MESSAGE"]
    # back to the good file, so that later starts read it
    m.write(CONF, good)


def test_admin_in_the_group_runs_mediawatchctl(machine, feeds):
    m = machine
    m.run(["usermod", "-aG", "mediawatch", ADMIN])
    ctl(m, "unit", "add", "WYS-EDU", "武夷山市教育局",
        "--email", "jyj@wys.example.gov.cn", "--contact", "林晓燕")
    acc = ctl(m, "account", "open", "--unit", "WYS-EDU", "--platform",
              "wechat", "--name", "武夷山教育", "--uid", "gh_5e1b0c7a2d94",
              "--feed", f"{feeds['url']}/stale.xml",
              "--opened", "2020-01-01").stdout.strip()
    assert acc.isdigit(), acc
    seen["account"] = acc
    listing = ctl(m, "account", "list").stdout
    assert "武夷山教育" in listing and "WYS-EDU" in listing, listing
    status = ctl_json(m, "status")
    assert status["active"] == 1, status
    history = ctl_json(m, "account", "history", acc)
    assert history and history[0]["actor"] == ADMIN, history
    # the service still runs on the same database, written by both
    assert_running(m, earlier("pid"))
    for suffix in ("-wal", "-shm"):
        got = mode(m, f"{STATE}/mediawatch.db{suffix}")
        assert got.split()[0] == "660" and got.split()[2] == "mediawatch", \
            f"mediawatch.db{suffix}: {got}"
    # a user outside the group is kept out
    m.run(["useradd", "--create-home", "bob"])
    r = ctl(m, "status", user="bob", check=False)
    assert r.returncode == 1, f"bob: exit {r.returncode}\n{r.stdout}"


def test_poll_cycle_alerts_the_stale_account(machine, feeds):
    m = machine
    acc = earlier("account")

    a = wait_for(f"stale verdict on account {acc}",
                 lambda: ctl_json(m, "account", "show", acc), CYCLE_TIMEOUT,
                 lambda: warnings_tail(m),
                 until=lambda a: a.get("state") == "stale")
    assert a["last_update_at"] == feeds["published"], a
    assert a["last_fetch"] == "ok" and a["last_status"] == 200, a

    def mail_to_unit():
        """The Maildir's messages to the unit (the admins' daily digest
        may be there too), once there is one."""
        r = m.run(["find", f"{STATE}/Maildir/new", "-type", "f"],
                  check=False)
        if r.returncode != 0:
            return None
        msgs = [email.message_from_bytes(m.read(f).encode("utf-8"),
                                         policy=email.policy.default)
                for f in r.stdout.split()]
        return [x for x in msgs
                if "jyj@wys.example.gov.cn" in str(x["To"])] or None
    to_unit = wait_for("alert email in the Maildir", mail_to_unit,
                       CYCLE_TIMEOUT, lambda: warnings_tail(m))
    assert len(to_unit) == 1, [str(x["Subject"]) for x in to_unit]
    msg = to_unit[0]
    assert "jyj@wys.example.gov.cn" in str(msg["To"]), str(msg)
    # the configuration of the good reload is in force, not the broken one
    assert GOOD_FROM in str(msg["From"]), str(msg["From"])
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "武夷山教育" in body, body

    status = m.run(["systemctl", "status", UNIT, "--no-pager"]).stdout
    assert "1 active accounts, 1 stale, 0 dormant, 0 failing feeds" in \
        status, status


def test_watchdog_restarts_a_stopped_daemon(machine):
    m = machine
    m.write(WATCHDOG_DROPIN, "[Service]\nWatchdogSec=2s\nRestartSec=1s\n"
            "ExecStart=\nExecStart=/usr/sbin/mediawatchd -v\n")
    m.run(["systemctl", "daemon-reload"])
    m.run(["systemctl", "restart", UNIT], timeout=START_TIMEOUT + 30)
    s = show(m, "WatchdogUSec", "NRestarts", "MainPID", "ActiveState")
    assert s["WatchdogUSec"] == "2s" and s["ActiveState"] == "active", s
    pid, restarts = s["MainPID"], int(s["NRestarts"])

    cursor = journal_cursor(m)
    m.run(["sh", "-c", 'kill -STOP "$1"', "-", pid])

    def restarted():
        s = show(m, "NRestarts", "MainPID", "ActiveState", "SubState")
        done = (int(s["NRestarts"]) > restarts and s["MainPID"] not in
                ("0", pid) and s["ActiveState"] == "active")
        return s if done else None
    s = wait_for("restart after the watchdog timeout", restarted, 30,
                 lambda: "\n".join(messages(journal(m, after=cursor))))
    texts = messages(journal(m, after=cursor))
    assert [t for t in texts if "Watchdog timeout" in t], "\n".join(texts)
    seen["pid"] = assert_running(m)
    seen["restart_cursor"] = cursor


def test_journal_priority_filter(machine):
    """With -v (the watchdog drop-in) the poll cycle is logged at info;
    -p warning keeps the warnings and drops it."""
    m = machine
    cycle = wait_journal(m, earlier("restart_cursor"), "'poll cycle:' (info)",
                         lambda t: t.startswith("poll cycle:"))
    assert cycle[0]["PRIORITY"] == "6", cycle[0]

    warned = journal(m, "-p", "warning")
    texts = messages(warned)
    assert earlier("refused") in texts, "\n".join(texts)
    assert [t for t in texts if "keeping the one in force" in t]
    assert all(int(e["PRIORITY"]) <= 4 for e in warned), \
        [(e["PRIORITY"], e["MESSAGE"]) for e in warned if
         int(e["PRIORITY"]) > 4]
    assert not [t for t in texts if t.startswith("poll cycle:")], texts
    assert not [t for t in texts if t.startswith("started: database")]
    # the human-readable form filters the same way
    plain = journal_text(m, "-p", "warning")
    assert "keeping the one in force" in plain and "poll cycle:" not in plain
    # a structured field selects the events about one account
    about = messages(journal(m, f"MEDIAWATCH_ACCOUNT={earlier('account')}"))
    assert f"account {earlier('account')}: new -> stale" in about, about


def test_clean_quick_stop(machine):
    m = machine
    cursor = journal_cursor(m)
    started = time.monotonic()
    m.run(["systemctl", "stop", UNIT], timeout=60)
    took = time.monotonic() - started
    s = show(m, "ActiveState", "Result", "ExecMainCode", "ExecMainStatus")
    assert s["ActiveState"] == "inactive", s
    # code 1 is CLD_EXITED: it exited by itself, with status 0
    assert (s["Result"], s["ExecMainCode"], s["ExecMainStatus"]) == \
        ("success", "1", "0"), s
    assert took < STOP_BOUND, f"stop took {took:.1f} s"
    texts = messages(journal(m, after=cursor))
    assert "stopping (signal 15)" in texts, texts


def test_smtp_password_reaches_the_service_as_a_credential(machine, feeds,
                                                          tmp_path):
    """README step 4: the password file, the drop-in added with `systemctl
    edit`, mail by SMTP with STARTTLS, the office's CA in ca_file and AUTH
    to a server on loopback."""
    m = machine
    assert show(m, "ActiveState")["ActiveState"] == "inactive"
    m.run(["rm", WATCHDOG_DROPIN])
    m.run(["systemctl", "daemon-reload"])

    # the office's CA and the server's certificate, made on the host (the
    # container has no openssl command)
    ca = TestCA(tmp_path / "ca", "office CA")
    cert, key = ca.server_cert("smtp")
    m.write(SMTP_CA, ca.cert.read_text())
    m.write("/srv/smtp.crt", cert.read_text())
    m.write("/srv/smtp.key", key.read_text(), mode="0600")
    # an SMTP server that requires STARTTLS, then AUTH with the password,
    # on a socket
    m.run(["mkdir", "-p", "/srv/smtp"])
    m.write("/srv/smtp-server.py",
            (REPO / "tests/fixtures/smtp-server.py").read_text())
    m.run(["systemd-run", "--unit=mw-smtp",
           f"--socket-property=ListenStream=127.0.0.1:{SMTP_PORT}", "--",
           "python3", "/srv/smtp-server.py", "3", "/srv/smtp",
           "--auth", f"mediawatch:{SMTP_PASSWORD}", "--tls",
           "--tls-cert", "/srv/smtp.crt", "--tls-key", "/srv/smtp.key"])

    m.sh(f"(umask 077; printf '%s\\n' '{SMTP_PASSWORD}' "
         "> /etc/mediawatch/smtp-password)")
    conf = earlier("good_conf").replace(
        '\ttransport = "maildir";',
        f'\ttransport = "smtp";\n'
        f'\turl = "smtp+starttls://127.0.0.1:{SMTP_PORT}";\n'
        f'\tca_file = "{SMTP_CA}";\n'
        '\tusername = "mediawatch";\n\tpassword_file = "smtp-password";')
    assert conf != earlier("good_conf")
    m.write(CONF, conf)
    m.run(["mediawatchd", "-n"])
    # `systemctl edit mediawatchd`, the editor pasting the shipped drop-in;
    # systemctl edits only on a terminal, which script(1) provides
    m.write("/root/smtp-password.conf",
            (REPO / "contrib/systemd/smtp-password.conf").read_text())
    m.write("/root/paste-dropin", '#!/bin/sh\ncat /root/smtp-password.conf '
            '> "$1"\n', mode="0755")
    m.run(["script", "-qec", f"systemctl edit {UNIT}", "/dev/null"],
          env=[("SYSTEMD_EDITOR", "/root/paste-dropin")])
    cat = m.run(["systemctl", "cat", UNIT]).stdout
    assert "LoadCredential=smtp-password:/etc/mediawatch/smtp-password" \
        in cat, cat

    # a second unit's stale account, registered while the service is down
    ctl(m, "unit", "add", "WYS-HB", "武夷山市生态环境局",
        "--email", "hbj@wys.example.gov.cn")
    ctl(m, "account", "open", "--unit", "WYS-HB", "--platform", "weibo",
        "--name", "武夷山生态环境", "--uid", "7301245566",
        "--feed", f"{feeds['url']}/stale2.xml", "--opened", "2020-01-01")
    m.run(["systemctl", "start", UNIT], timeout=START_TIMEOUT + 30)
    assert_running(m)

    def delivered():
        r = m.run(["cat", "/srv/smtp/1.env"], check=False)
        return r.stdout if r.returncode == 0 else None
    env = wait_for("mail accepted by the SMTP server", delivered,
                   CYCLE_TIMEOUT, lambda: warnings_tail(m)).split("\n")
    assert env[0] == GOOD_FROM and "hbj@wys.example.gov.cn" in env[1:], env
    msg = email.message_from_bytes(m.read("/srv/smtp/1.eml").encode(),
                                   policy=email.policy.default)
    assert "武夷山生态环境" in msg.get_body(
        preferencelist=("plain",)).get_content()


def test_bulletin_service_writes_last_month(machine):
    """The timer's service as shipped, run as on the first day of next
    month: monitoring began this month, so "last month" is this one (a
    month before monitoring began has no bulletin)."""
    m = machine
    # this month where the office is (the configuration's timezone)
    today = datetime.now(ZoneInfo("Asia/Shanghai"))
    y, mo = (today.year + 1, 1) if today.month == 12 else \
        (today.year, today.month + 1)
    m.write("/etc/systemd/system/mediawatch-bulletin.service.d/now.conf",
            f"[Service]\nEnvironment=MEDIAWATCH_NOW={y:04d}-{mo:02d}-01"
            "T08:00:00\n")
    m.run(["systemctl", "daemon-reload"])
    r = m.run(["systemctl", "start", "mediawatch-bulletin"], timeout=60,
              check=False)
    assert r.returncode == 0, "\n".join(
        messages(journal(m, unit="mediawatch-bulletin")))
    s = show(m, "Result", "ExecMainStatus", unit="mediawatch-bulletin")
    assert (s["Result"], s["ExecMainStatus"]) == ("success", "0"), s
    files = sorted(m.run(["find", f"{STATE}/bulletins", "-type", "f"]
                         ).stdout.split())
    # the web page and the 公文 to print, one of each
    assert [f.rsplit(".", 1)[1] for f in files] == ["docx", "html"], files
    for f in files:
        got = mode(m, f).split()
        assert got[1:] == ["mediawatch", "mediawatch"], (f, got)
