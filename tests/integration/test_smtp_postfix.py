"""Trust on the wire (issue 19): mediawatchd delivering to a real Postfix
on loopback (postfixserver.py: a private configuration, queue and CA,
Cyrus SASL for AUTH), and the configuration checks that keep a login off
an unencrypted connection.

    submission  STARTTLS required, then AUTH: the recommended setup
    smtps       TLS from the first byte, AUTH
    noauth      STARTTLS, no AUTH offered (takes mail without a login)
    plain       no STARTTLS, AUTH offered in clear

What Postfix saw is read from its own log: each session ends with a
"disconnect from … ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 …" line that
counts the commands the client sent, so "no AUTH was sent" and "no
MAIL was sent" are facts about the server, not about our client's word.

The clock is MEDIAWATCH_NOW (test_alerts.BASE, 10:00 in Asia/Shanghai);
each scenario is one stale account of one unit, so each cycle queues one
email to the unit, the admins in copy."""

import json
import re
import subprocess
import time

import pytest

from feedserver import feeds  # noqa: F401  (fixture)
from postfixserver import MAILBOXES, postfix, postfix_server  # noqa: F401
from testca import TestCA
from test_alerts import (ADMINS, BASE, DAY, Scenario, configure, outbox)

UNIT_ADDR = "jyj@example.gov.cn"
UNKNOWN = "nobody@example.gov.cn"
BUSY = "busy@example.gov.cn"
assert UNIT_ADDR in MAILBOXES and all(a in MAILBOXES for a in ADMINS)


def login(postfix, url, **extra):
    """mail settings for url with the test login and the pinned CA."""
    settings = {"transport": "smtp", "url": url, "ca_file": postfix.ca_file,
                "username": postfix.user,
                "password_file": str(postfix.password_file)}
    settings.update(extra)
    return {k: v for k, v in settings.items() if v is not None}


def stale_unit(mw, feeds, *emails):
    sc = Scenario(mw, feeds)
    sc.unit("EDU", "武夷山市教育局", *(emails or (UNIT_ADDR,)))
    sc.account("EDU", "武夷山教育", BASE - 20 * DAY)
    return sc


def run_cycle(mw, at, argv_prefix=(), env=None, poll=True):
    """One `mediawatchd --once -d -v` at time at (its stderr has the info
    lines); argv_prefix runs it inside another command."""
    mw.now(at)
    if poll:
        mw.run("poll", check=0)
    return mw.exec([*argv_prefix, mw.daemon_path, "-c", mw.conf_path,
                    "--once", "-d", "-v"], env=env, timeout=90)


def sessions(log):
    """Postfix's per-session command counts: one dict per disconnect line,
    e.g. {"ehlo": "2", "starttls": "1", "auth": "1", "mail": "1"}.
    Sessions without a single command (the fixture's probes of its
    listeners, a failed TLS handshake) are left out."""
    out = []
    for line in log.splitlines():
        m = re.search(r"disconnect from \S+ (.*)$", line)
        if m and "commands=0/0" not in m.group(1):
            out.append(dict(kv.split("=", 1) for kv in m.group(1).split()
                            if "=" in kv))
    return out


def wait_sessions(postfix, count=1, timeout=30.0):
    """Waits until Postfix logged count sessions with commands; returns
    them all."""
    deadline = time.monotonic() + timeout
    while len(sessions(postfix.log())) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"Postfix logged fewer than {count} sessions:\n"
                        f"{postfix.log()}")
        time.sleep(0.05)
    return sessions(postfix.log())


def shown(mw, row_id):
    return mw.json("outbox", "show", str(row_id))


# ------------------------------------------------- the recommended setup

@pytest.mark.parametrize("listener", ["submission", "smtps"])
def test_tls_login_delivers_to_every_recipient_and_logs_the_message_id(
        mw, feeds, postfix, listener):
    configure(mw, mail=login(postfix, getattr(postfix, listener)))
    stale_unit(mw, feeds)
    r = run_cycle(mw, BASE)
    assert r.returncode == 0, r.stderr

    (row,) = outbox(mw)
    assert (row["status"], row["attempts"], row["last_error"]) == (
        "sent", 1, None)
    for addr in (UNIT_ADDR, *ADMINS):
        (msg,) = postfix.wait_delivered(addr, 1)
        assert msg["Message-ID"] == row["message_id"]
    # one session: TLS (STARTTLS or from the first byte), a login, the mail
    (s,) = wait_sessions(postfix)
    assert s["auth"] == "1" and s["mail"] == "1" and s["rcpt"] == "3", s
    assert s.get("starttls") == ("1" if listener == "submission" else None)
    # the delivery is logged at info with the Message-ID and recipients
    assert (f"outbox {row['id']}: sent {row['message_id']} to "
            f"{UNIT_ADDR}, {', '.join(ADMINS)}") in r.stderr
    assert [(x["address"], x["status"], x["code"]) for x in
            shown(mw, row["id"])["recipients"]] == [
        (a, "sent", 250) for a in (UNIT_ADDR, *ADMINS)]


def test_wrong_password_is_refused_with_the_server_answer_and_retried(
        mw, feeds, postfix):
    wrong = mw.write("wrong-password", "not-the-password\n")
    configure(mw, mail=login(postfix, postfix.submission,
                             password_file=str(wrong)))
    stale_unit(mw, feeds)
    run_cycle(mw, BASE)
    (row,) = outbox(mw)
    assert row["status"] == "queued" and row["attempts"] == 1
    assert "535" in row["last_error"], row["last_error"]
    assert all(postfix.delivered(a) == [] for a in (UNIT_ADDR, *ADMINS))
    (s,) = wait_sessions(postfix)
    assert s["auth"] == "0/1" and "mail" not in s, s
    # the right password later: the queued email goes out
    configure(mw, mail=login(postfix, postfix.submission))
    run_cycle(mw, BASE + 600, poll=False)
    assert outbox(mw)[0]["status"] == "sent"
    assert len(postfix.wait_delivered(UNIT_ADDR, 1)) == 1


# -------------------------------------------- no login in clear, ever

def test_server_without_starttls_gets_no_login_and_no_mail(
        mw, feeds, postfix):
    # the URL says STARTTLS is required; the server (or a man in the
    # middle who stripped it) does not offer it
    url = postfix.plain.replace("smtp://", "smtp+starttls://")
    configure(mw, mail=login(postfix, url))
    stale_unit(mw, feeds)
    run_cycle(mw, BASE)
    (row,) = outbox(mw)
    assert row["status"] == "queued" and row["attempts"] == 1
    assert "SSL" in row["last_error"] or "TLS" in row["last_error"], row
    (s,) = wait_sessions(postfix)
    assert "auth" not in s and "mail" not in s, s
    assert all(postfix.delivered(a) == [] for a in (UNIT_ADDR, *ADMINS))
    # smtps:// to it fails in the handshake, before any command
    configure(mw, mail=login(postfix, postfix.plain.replace("smtp://",
                                                            "smtps://")))
    run_cycle(mw, BASE + 600, poll=False)
    assert outbox(mw)[0]["attempts"] == 2
    assert all("auth" not in s and "mail" not in s
               for s in sessions(postfix.log())), postfix.log()


def test_login_to_a_server_offering_no_auth_fails_and_sends_nothing(
        mw, feeds, postfix):
    configure(mw, mail=login(postfix, postfix.noauth))
    stale_unit(mw, feeds)
    r = run_cycle(mw, BASE)
    (row,) = outbox(mw)
    assert row["status"] == "queued" and row["attempts"] == 1
    assert "offers no AUTH" in row["last_error"]
    assert "offers no AUTH" in r.stderr
    (s,) = wait_sessions(postfix)
    assert s["starttls"] == "1" and "mail" not in s, s
    assert all(postfix.delivered(a) == [] for a in (UNIT_ADDR, *ADMINS))
    # the same listener takes the email from a client without a login: the
    # refusal above was ours
    configure(mw, mail=login(postfix, postfix.noauth, username=None,
                             password_file=None))
    run_cycle(mw, BASE + 600, poll=False)
    assert outbox(mw)[0]["status"] == "sent"
    assert len(postfix.wait_delivered(UNIT_ADDR, 1)) == 1


def test_check_config_refuses_a_login_over_smtp_url_naming_the_line(
        mw, postfix):
    configure(mw, mail=login(postfix, postfix.plain))
    lines = mw.conf_path.read_text().splitlines()
    url_line = next(i for i, l in enumerate(lines, 1) if "url =" in l)
    for r in (mw.run("check-config"), mw.run_daemon("-n")):
        assert r.returncode == 1
        assert (f"{mw.conf_path}:{url_line}: mail.url: with a login "
                "(mail.username) TLS is required") in r.stderr
        assert "smtp+starttls://127.0.0.1:" in r.stderr
    # the daemon will not start with it either
    r = mw.run_daemon("--once", "-d")
    assert r.returncode == 1 and "TLS is required" in r.stderr


def test_check_config_checks_the_password_file_can_be_read(mw, postfix):
    configure(mw, mail=login(postfix, postfix.submission,
                             password_file=str(mw.dir / "missing")))
    lines = mw.conf_path.read_text().splitlines()
    pw_line = next(i for i, l in enumerate(lines, 1) if "password_file" in l)
    for r in (mw.run("check-config"), mw.run_daemon("-n")):
        assert r.returncode == 1, r.stdout
        assert (f"{mw.conf_path}:{pw_line}: mail.password_file: cannot read "
                f"{mw.dir / 'missing'}: No such file or directory") in r.stderr
    # a credential name: checked in $CREDENTIALS_DIRECTORY when it is set,
    # else left to the service's start, and said so
    configure(mw, mail=login(postfix, postfix.submission,
                             password_file="smtp-password"))
    for r in (mw.run("check-config", env={"CREDENTIALS_DIRECTORY": None}),
              mw.run_daemon("-n", env={"CREDENTIALS_DIRECTORY": None})):
        assert r.returncode == 0, r.stderr
        assert "credential name" in r.stderr
    creds = mw.dir / "creds"
    creds.mkdir()
    r = mw.run("check-config", env={"CREDENTIALS_DIRECTORY": creds})
    assert r.returncode == 1 and f"cannot read {creds}/smtp-password" in r.stderr
    (creds / "smtp-password").write_text(postfix.password + "\n")
    assert mw.run("check-config",
                  env={"CREDENTIALS_DIRECTORY": creds}).returncode == 0
    assert mw.run_daemon("-n",
                         env={"CREDENTIALS_DIRECTORY": creds}).returncode == 0


def test_a_credential_not_handed_over_is_named_as_such_at_delivery(
        mw, feeds, postfix):
    """password_file is the credential's name, but the service runs without
    the LoadCredential= drop-in: the error says what is missing."""
    configure(mw, mail=login(postfix, postfix.submission,
                             password_file="smtp-password"))
    stale_unit(mw, feeds)
    r = run_cycle(mw, BASE, env={"CREDENTIALS_DIRECTORY": None})
    (row,) = outbox(mw)
    assert row["status"] == "queued" and row["attempts"] == 1
    for text in (row["last_error"], r.stderr):
        assert ('the SMTP password credential "smtp-password" was not '
                "handed over ($CREDENTIALS_DIRECTORY is not set)") in text
        assert "contrib/systemd/smtp-password.conf" in text
    assert all(postfix.delivered(a) == [] for a in (UNIT_ADDR, *ADMINS))
    # handed over, the queued email goes out
    creds = mw.dir / "creds"
    creds.mkdir()
    (creds / "smtp-password").write_text(postfix.password + "\n")
    run_cycle(mw, BASE + 600, env={"CREDENTIALS_DIRECTORY": creds},
              poll=False)
    assert outbox(mw)[0]["status"] == "sent"


# ------------------------------------------------------ a pinned CA

def system_store_trusting(directory, ca):
    """A stand-in for /etc/ssl/certs that trusts ca (the bundle file and
    the hashed directory libcurl and OpenSSL read), and the command prefix
    that runs a program with it mounted over /etc/ssl/certs in a private
    mount namespace: the machine's own store is never touched."""
    certs = directory / "system-certs"
    certs.mkdir()
    (certs / "ca-certificates.crt").write_bytes(ca.cert.read_bytes())
    (certs / "test-ca.pem").write_bytes(ca.cert.read_bytes())
    subprocess.run(["openssl", "rehash", str(certs)], check=True,
                   capture_output=True)
    prefix = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
              'mount --bind "$0" /etc/ssl/certs && exec "$@"', str(certs)]
    probe = subprocess.run(prefix + ["ls", "/etc/ssl/certs"],
                           capture_output=True, text=True)
    assert probe.returncode == 0 and "test-ca.pem" in probe.stdout, probe
    return prefix


def test_pinned_ca_is_the_only_trust_anchor_even_when_the_system_trusts_the_server(
        mw, feeds, postfix, tmp_path):
    prefix = system_store_trusting(tmp_path, postfix.ca)
    stale_unit(mw, feeds)
    # without ca_file the (stand-in) system store is used, and trusts it
    configure(mw, mail=login(postfix, postfix.submission, ca_file=None))
    run_cycle(mw, BASE, argv_prefix=prefix)
    (first,) = outbox(mw)
    assert first["status"] == "sent", first["last_error"]
    assert len(postfix.wait_delivered(UNIT_ADDR, 1)) == 1
    postfix.reset()

    # pinned to another CA: refused, although the system store and
    # OpenSSL's environment would both trust the server
    other = TestCA(tmp_path / "other", "another office CA")
    configure(mw, mail=login(postfix, postfix.submission,
                             ca_file=str(other.cert)))
    env = {"SSL_CERT_FILE": postfix.ca_file,
           "SSL_CERT_DIR": str(tmp_path / "system-certs"),
           "CURL_CA_BUNDLE": postfix.ca_file}
    run_cycle(mw, BASE + 4 * DAY, argv_prefix=prefix, env=env)
    rows = outbox(mw)
    assert len(rows) == 2, rows          # a reminder after repeat_stale
    assert rows[1]["status"] == "queued" and rows[1]["attempts"] == 1
    assert "certificate" in rows[1]["last_error"].lower(), rows[1]
    log = postfix.wait_log("SSL_accept error")
    for s in sessions(log):
        assert "auth" not in s and "mail" not in s, s
    assert all(postfix.delivered(a) == [] for a in (UNIT_ADDR, *ADMINS))


# ---------------------------------------------- recipient by recipient

def test_mixed_recipients_valid_delivered_once_unknown_refused_for_good(
        mw, feeds, postfix):
    configure(mw, mail=login(postfix, postfix.submission, retry_base="10m",
                             digest_time="10:05"))
    stale_unit(mw, feeds, UNIT_ADDR, UNKNOWN, BUSY)
    r = run_cycle(mw, BASE)

    (row,) = outbox(mw)
    # the busy address is tried again; the others are settled
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == (
        "queued", 1, BASE + 600)
    assert "450 4.2.2" in row["last_error"], row["last_error"]
    for addr in (UNIT_ADDR, *ADMINS):
        (msg,) = postfix.wait_delivered(addr, 1)
        assert msg["Message-ID"] == row["message_id"]
    (s,) = wait_sessions(postfix)
    assert s["rcpt"] == "3/5" and s["data"] == "1", s
    got = {x["address"]: x for x in shown(mw, row["id"])["recipients"]}
    assert got[UNIT_ADDR]["status"] == "sent"
    assert (got[UNKNOWN]["status"], got[UNKNOWN]["code"]) == ("refused", 550)
    assert "5.1.1" in got[UNKNOWN]["reply"]
    assert "User unknown" in got[UNKNOWN]["reply"]
    assert (got[BUSY]["status"], got[BUSY]["code"]) == ("pending", 450)
    assert f"{UNKNOWN} refused for good: 550 5.1.1" in r.stderr

    # the retry goes to the busy address alone: nobody gets the alert
    # twice, and the refused address is not tried again
    postfix.reset()
    run_cycle(mw, BASE + 600, poll=False)
    row = outbox(mw)[0]
    assert (row["status"], row["attempts"]) == ("queued", 2)
    got = {x["address"]: x for x in shown(mw, row["id"])["recipients"]}
    assert [got[a]["attempts"] for a in (UNIT_ADDR, UNKNOWN, BUSY)] == [1, 1, 2]
    log = postfix.wait_log(f"<{BUSY}>: mailbox busy")
    assert UNKNOWN not in log and UNIT_ADDR not in log, log
    assert postfix.delivered(UNIT_ADDR) == []
    # ... and the digest this cycle queued names the bouncing address
    for admin in ADMINS:
        (digest,) = postfix.wait_delivered(admin, 1)
        assert "日报" in str(digest["Subject"])
    text = digest.get_body(("plain",)).get_content()
    assert "退信的单位邮箱" in text
    bounced = text.split("退信的单位邮箱")[1]
    assert UNKNOWN in bounced and "550 5.1.1" in bounced
    assert UNIT_ADDR not in bounced and BUSY not in bounced
    html = digest.get_body(("html",)).get_content()
    assert UNKNOWN in html.split("退信的单位邮箱")[1]

    # the text view of outbox show lists every address with its answer
    table = mw.run("outbox", "show", str(row["id"]), check=0).stdout
    assert re.search(rf"{re.escape(UNKNOWN)}\s+refused\s+1\s+.*550 5\.1\.1",
                     table), table
    assert re.search(rf"{re.escape(BUSY)}\s+pending\s+2\s+.*450 4\.2\.2",
                     table), table
    # unit show flags the bouncing address, and only it
    unit = mw.json("unit", "show", "EDU")
    assert [b["address"] for b in unit["bouncing"]] == [UNKNOWN]
    assert "User unknown" in unit["bouncing"][0]["reply"]
    assert UNKNOWN in mw.run("unit", "show", "EDU", check=0).stdout
    # taking the address off the unit clears the flag
    mw.run("unit", "change", "EDU", "--email", UNIT_ADDR, "--email", BUSY,
           check=0)
    assert mw.json("unit", "show", "EDU")["bouncing"] == []
