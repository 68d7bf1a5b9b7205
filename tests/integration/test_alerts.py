"""Account states, the problem list and email alerts (issue 4), end to end:
feeds served over loopback, the real `mediawatchctl poll` and
`mediawatchd --once`, and the mail received by a real SMTP server
(aiosmtpd, see smtpserver.py), a Maildir or a sendmail script.

The clock is MEDIAWATCH_NOW: every step of a scenario sets it, so states,
due dates, reminders and retry times are exact.  Feed dates are relative
to it.  Thresholds are the defaults (warn 7 d, stale 14 d, dormant 90 d,
repeat_stale 3 d); the digest is pushed to 23:59 except where it is the
subject, so that each test sees exactly the mail it is about."""

import calendar
import email
import email.policy
import json
import shutil
import signal
import sqlite3
import stat
import re
import subprocess
import time
from email.utils import format_datetime, parseaddr, getaddresses
from datetime import datetime, timedelta, timezone

import pytest

from feedserver import feeds  # noqa: F401  (fixture)
from smtpserver import smtp  # noqa: F401  (fixture)
from workdays import deadline

DAY = 86400
HOUR = 3600
CST = timezone(timedelta(hours=8))

# 2026-03-02 10:00:00 in Asia/Shanghai: the scenarios start here.
BASE = calendar.timegm((2026, 3, 2, 2, 0, 0))
# Registry changes happen long before, so no account is in its grace period.
REGISTERED = BASE - 200 * DAY

ADMINS = ["dzzw@example.gov.cn", "ops@example.gov.cn"]
FROM_ADDR = "mediawatch@example.gov.cn"
FROM = f"政务新媒体监测 <{FROM_ADDR}>"

UNIT_SUBJECT = "【政务新媒体预警】{unit}有{n}个账号超期未更新或即将超期"
REMIND_SUBJECT = "【政务新媒体再次预警】{unit}有{n}个账号超期未更新或即将超期"
RECOVERY_SUBJECT = "【政务新媒体恢复更新】{unit}有{n}个账号已恢复更新"
GAP_SUBJECT = "【监测缺口】{n}个政务新媒体账号的更新情况无法核实或信息源抓取失败"


# ---------------------------------------------------------------- helpers

def local(t):
    """Unix seconds as messages show a time: 2026年3月2日 09:30 (+08)."""
    d = datetime.fromtimestamp(t, CST)
    return f"{d.year}年{d.month}月{d.day}日 {d:%H:%M}"


def local_date(t):
    """Unix seconds as messages show a date: 2026年3月2日 (+08)."""
    d = datetime.fromtimestamp(t, CST)
    return f"{d.year}年{d.month}月{d.day}日"


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


def libconfig(section, settings):
    def value(v):
        if isinstance(v, (list, tuple)):
            return "[ " + ", ".join(value(x) for x in v) + " ]"
        if isinstance(v, int):
            return str(v)
        return json.dumps(v, ensure_ascii=False)
    return f"{section} = {{\n" + "".join(
        f"\t{k} = {value(v)};\n" for k, v in settings.items()) + "};\n"


def configure(mw, smtp=None, mail=None, poll=None, monitor=None):
    """The test configuration: SMTP to the test server when smtp is given
    (else the maildir transport), the built-in templates, fixed poll
    settings."""
    mail_settings = {
        "transport": "smtp" if smtp else "maildir",
        "from": FROM,
        "admins": ADMINS,
        "digest_time": "23:59",
        "retry_base": "10m",
        "max_attempts": 5,
    }
    if smtp:
        mail_settings["url"] = smtp.url
    mail_settings.update(mail or {})
    poll_settings = {"interval": "1h", "jitter": 0, "timeout": "5s",
                     "connect_timeout": "2s", "fail_threshold": 3}
    poll_settings.update(poll or {})
    text = libconfig("poll", poll_settings) + libconfig("mail", mail_settings)
    if monitor:
        text += libconfig("monitor", monitor)
    mw.write_config(text)


class Scenario:
    """A unit-and-account registry whose feeds the test controls."""

    def __init__(self, mw, feeds):
        self.mw = mw
        self.feeds = feeds
        self.items = {}          # account id -> [(guid, time)]
        self.paths = {}

    def unit(self, code, name, *emails, contact=None):
        self.mw.now(REGISTERED)
        opts = [x for e in emails for x in ("--email", e)]
        if contact:
            opts += ["--contact", contact]
        self.mw.add_unit(code, name, *opts)

    def account(self, unit, name, last_post, platform="weibo"):
        """An account whose feed has one post at last_post (unix time)."""
        self.mw.now(REGISTERED)
        path = f"/feed{len(self.paths) + 1}.xml"
        url = self.feeds.url(path)
        acc = self.mw.open_account(unit, platform, name, feed=url)
        self.paths[acc] = path
        self.items[acc] = []
        if last_post is not None:
            self.post(acc, last_post)
        else:
            self.feeds.serve(path, rss())
        return acc

    def post(self, acc, when):
        """Publishes a new post on the account's feed."""
        self.items[acc].append((f"a{acc}-p{len(self.items[acc])}", when))
        self.feeds.serve(self.paths[acc], rss(*self.items[acc]),
                         conditional=False)

    def fail(self, acc, status=500):
        self.feeds.serve(self.paths[acc], "internal error\n", status=status,
                         content_type="text/plain")

    def restore(self, acc):
        self.feeds.serve(self.paths[acc], rss(*self.items[acc]),
                         conditional=False)


def cycle(mw, at, poll=True):
    """At time at: mark every account due, then one `mediawatchd --once`
    (poll, evaluate, deliver everything due)."""
    mw.now(at)
    if poll:
        mw.run("poll", check=0)
    return mw.run_daemon("--once", "-d", check=0, timeout=90)


def outbox(mw, where="1", params=()):
    con = sqlite3.connect(mw.db_path, timeout=30)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(
            f"SELECT * FROM outbox WHERE {where} ORDER BY id", params)]
    finally:
        con.close()


def problems(mw, where="1", params=()):
    con = sqlite3.connect(mw.db_path, timeout=30)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(
            f"SELECT * FROM problem WHERE {where} ORDER BY id", params)]
    finally:
        con.close()


def states(mw):
    return dict(mw.sql("SELECT account_id, state FROM account_state"))


def parts(msg):
    """{content type: decoded text} of a parsed message."""
    out = {}
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            out[part.get_content_type()] = part.get_content()
    return out


def addresses(msg, header):
    return [a for _, a in getaddresses(msg.get_all(header, []))]


def assert_well_formed(msg):
    """Date, Message-ID, From, and a multipart/alternative text+HTML body."""
    assert msg["Date"] is not None and msg["Date"].datetime is not None
    assert msg["Message-ID"] and "@" in msg["Message-ID"]
    assert parseaddr(str(msg["From"])) == ("政务新媒体监测", FROM_ADDR)
    assert msg.get_content_type() == "multipart/alternative"
    p = parts(msg)
    assert set(p) == {"text/plain", "text/html"}, p.keys()
    return p


def by_subject(deliveries):
    return {str(d.message["Subject"]): d for d in deliveries}


def wait_until(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def sc(mw, feeds, smtp):
    """mw configured to send through the test SMTP server."""
    configure(mw, smtp)
    return Scenario(mw, feeds)


# ------------------------------------------------------- grouped messages

def test_one_email_per_unit_lists_all_its_accounts_to_the_unit_cc_admins(
        sc, smtp):
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn",
            "office@example.gov.cn", contact="李明")
    sc.unit("EDU", "武夷山市教育局", "edu@example.gov.cn")
    fresh = sc.account("GOV", "武夷山发布", BASE - 2 * DAY)
    warn = sc.account("GOV", "武夷山政务", BASE - 9 * DAY, platform="wechat")
    stale = sc.account("GOV", "武夷山之声", BASE - 20 * DAY, platform="douyin")
    dormant = sc.account("GOV", "武夷山旅游", BASE - 120 * DAY)
    edu1 = sc.account("EDU", "武夷山教育", BASE - 8 * DAY)
    edu2 = sc.account("EDU", "教育招生", BASE - 10 * DAY, platform="wechat")

    cycle(sc.mw, BASE)

    assert states(sc.mw) == {fresh: "fresh", warn: "warning", stale: "stale",
                             dormant: "dormant", edu1: "warning",
                             edu2: "warning"}
    got = smtp.wait_for(2)
    assert len(got) == 2
    mails = by_subject(got)
    gov = mails[UNIT_SUBJECT.format(unit="武夷山市人民政府办公室", n=3)]
    edu = mails[UNIT_SUBJECT.format(unit="武夷山市教育局", n=2)]

    assert addresses(gov.message, "To") == ["gov@example.gov.cn",
                                             "office@example.gov.cn"]
    assert addresses(gov.message, "Cc") == ADMINS
    assert sorted(gov.rcpt_tos) == sorted(["gov@example.gov.cn",
                                           "office@example.gov.cn", *ADMINS])
    assert gov.mail_from == FROM_ADDR
    assert addresses(edu.message, "To") == ["edu@example.gov.cn"]
    assert edu.message["Cc"] is None
    assert edu.rcpt_tos == ["edu@example.gov.cn"]

    text = assert_well_formed(gov.message)
    assert "武夷山市人民政府办公室（李明）" in text["text/plain"]
    for name in ("武夷山政务", "武夷山之声", "武夷山旅游"):
        assert f"「{name}」" in text["text/plain"]
        assert name in text["text/html"]
    assert "武夷山发布" not in text["text/plain"]
    assert "微信公众号「武夷山政务」" in text["text/plain"]
    assert "抖音「武夷山之声」" in text["text/plain"]
    assert "【超期未更新" in text["text/plain"]
    assert "【长期未更新】" in text["text/plain"]
    assert "关停或整合" in text["text/plain"]
    text = assert_well_formed(edu.message)
    assert "「武夷山教育」" in text["text/plain"]
    assert "「教育招生」" in text["text/plain"]
    assert "超期未更新（已不合格" not in text["text/plain"]
    assert gov.message["Message-ID"] != edu.message["Message-ID"]
    assert gov.message["Date"].datetime == datetime.fromtimestamp(BASE, CST)

    rows = outbox(sc.mw)
    assert [(r["kind"], r["status"], r["attempts"]) for r in rows] == [
        ("alert", "sent", 1), ("alert", "sent", 1)]
    assert {r["message_id"] for r in rows} == {gov.message_id, edu.message_id}
    # one problem per account for not being updated, at its worst
    assert sorted((p["account_id"], p["kind"]) for p in problems(sc.mw)) == [
        (stale, "stale"), (dormant, "dormant")]


def test_a_unit_without_emails_is_alerted_through_the_admins(sc, smtp):
    sc.unit("GOV", "武夷山市人民政府办公室")
    sc.account("GOV", "武夷山政务", BASE - 9 * DAY)
    cycle(sc.mw, BASE)
    (d,) = smtp.wait_for(1)
    assert addresses(d.message, "To") == ADMINS
    assert str(d.message["Subject"]) == UNIT_SUBJECT.format(
        unit="武夷山市人民政府办公室", n=1)


# ------------------------------------------------------------ transitions

def test_fresh_warning_stale_reminder_recovered_send_exactly_the_expected_mail(
        sc, smtp):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山发布", BASE - 2 * DAY)
    last = BASE - 2 * DAY

    # fresh: nothing to say
    cycle(mw, BASE)
    assert states(mw) == {acc: "fresh"}
    assert outbox(mw) == [] and problems(mw) == []

    # 8 days without update: warning, 6 days before the 2-week veto
    t_warn = BASE + 6 * DAY
    cycle(mw, t_warn)
    assert states(mw) == {acc: "warning"}
    (warn,) = smtp.wait_for(1)
    assert str(warn.message["Subject"]) == UNIT_SUBJECT.format(
        unit="武夷山市人民政府办公室", n=1)
    assert addresses(warn.message, "To") == ["gov@example.gov.cn"]
    assert warn.message["Cc"] is None
    text = assert_well_formed(warn.message)["text/plain"]
    assert "已 8 天未更新" in text
    assert "还剩 6 天" in text
    assert f"请于 {local_date(last + 14 * DAY)} 前更新" in text
    assert problems(mw) == []

    # 15 days: stale, a problem with a due date, admins in copy
    t_stale = BASE + 13 * DAY
    cycle(mw, t_stale)
    assert states(mw) == {acc: "stale"}
    got = smtp.wait_for(2)
    assert len(got) == 2
    stale = got[1]
    assert str(stale.message["Subject"]) == UNIT_SUBJECT.format(
        unit="武夷山市人民政府办公室", n=1)
    assert addresses(stale.message, "Cc") == ADMINS
    assert sorted(stale.rcpt_tos) == sorted(["gov@example.gov.cn", *ADMINS])
    (p,) = problems(mw)
    assert (p["account_id"], p["kind"], p["opened_at"], p["due_at"],
            p["closed_at"], p["last_update_at"], p["opened_by"]) == (
        acc, "stale", t_stale, deadline(t_stale), None, last, "mediawatchd")
    # opened on Sunday 15 March: ten working days end on Friday 27 March
    assert local_date(p["due_at"]) == "2026年3月27日"
    text = assert_well_formed(stale.message)["text/plain"]
    assert "已 15 天未更新" in text
    assert "整改期限 2026年3月27日" in text

    # a day later: still stale, no reminder before repeat_stale (3 d)
    cycle(mw, t_stale + DAY)
    cycle(mw, t_stale + 3 * DAY - HOUR)
    assert len(outbox(mw)) == 2
    assert len(problems(mw)) == 1

    # 3 days after the notice: one reminder
    t_remind = t_stale + 3 * DAY
    cycle(mw, t_remind)
    got = smtp.wait_for(3)
    assert len(got) == 3
    assert str(got[2].message["Subject"]) == REMIND_SUBJECT.format(
        unit="武夷山市人民政府办公室", n=1)
    assert addresses(got[2].message, "Cc") == ADMINS
    cycle(mw, t_remind + HOUR)
    assert len(outbox(mw)) == 3

    # the feed gets a new post: recovered, the problem closes itself (销号)
    t_rec = t_remind + DAY
    sc.post(acc, t_rec - 2 * HOUR)
    cycle(mw, t_rec)
    assert states(mw) == {acc: "fresh"}
    got = smtp.wait_for(4)
    assert len(got) == 4
    rec = got[3]
    assert str(rec.message["Subject"]) == RECOVERY_SUBJECT.format(
        unit="武夷山市人民政府办公室", n=1)
    assert addresses(rec.message, "To") == ["gov@example.gov.cn"]
    assert rec.message["Cc"] is None
    text = assert_well_formed(rec.message)["text/plain"]
    assert f"于 {local(t_rec - 2 * HOUR)} 发布新内容" in text
    assert "已自动销号" in text
    (p,) = problems(mw)
    assert (p["closed_at"], p["close_reason"]) == (t_rec, "recovered")

    # and nothing more afterwards
    cycle(mw, t_rec + DAY)
    assert len(outbox(mw)) == 4
    assert [r["status"] for r in outbox(mw)] == ["sent"] * 4
    assert len(smtp.messages) == 4
    assert [r[0] for r in mw.sql(
        "SELECT to_state FROM state_change WHERE account_id = ? ORDER BY id",
        (acc,))] == ["fresh", "warning", "stale", "fresh"]


def test_evaluating_twice_at_the_same_time_queues_nothing_twice(sc, smtp):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山发布", BASE - 20 * DAY)
    cycle(mw, BASE)
    cycle(mw, BASE)
    assert len(outbox(mw)) == 1
    # even when the state is forgotten and the account "enters" stale again
    # at the same moment, the dedup key stops a second copy
    con = sqlite3.connect(mw.db_path)
    with con:
        con.execute("DELETE FROM account_state")
    con.close()
    cycle(mw, BASE)
    assert states(mw) == {acc: "stale"}
    rows = outbox(mw)
    assert len(rows) == 1
    assert rows[0]["dedup_key"].startswith("alert:")
    assert len(smtp.wait_for(1)) == 1
    assert len(problems(mw)) == 1


# ------------------------------------------------ monitoring gaps, failures

def test_unverified_account_is_not_told_to_the_unit_but_admins_get_a_gap_mail(
        sc, smtp):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山发布", BASE - 2 * DAY)
    cycle(mw, BASE)
    assert states(mw) == {acc: "fresh"}

    # the feed breaks; by the known last update the account would be stale
    sc.fail(acc, 500)
    t = BASE + 13 * DAY
    cycle(mw, t)
    assert states(mw) == {acc: "unverified"}
    (gap,) = smtp.wait_for(1)
    assert len(smtp.messages) == 1
    assert str(gap.message["Subject"]) == GAP_SUBJECT.format(n=1)
    assert addresses(gap.message, "To") == ADMINS
    assert sorted(gap.rcpt_tos) == sorted(ADMINS)
    text = assert_well_formed(gap.message)["text/plain"]
    assert "「武夷山发布」：信息源服务器出错（HTTP 500）。更新情况无法核实" in text
    assert f"最近一次核实：{local(BASE)}" in text
    assert f"已知最近更新 {local_date(BASE - 2 * DAY)}（15天前）" in text
    assert "核实时限（1天）" in text
    assert [r["kind"] for r in outbox(mw)] == ["gap"]
    # an unconfirmed verdict opens no stale problem
    assert problems(mw, "kind = 'stale'") == []


def test_failing_feed_opens_an_unreachable_problem_closed_when_it_answers(
        mw, feeds, smtp):
    configure(mw, smtp, poll={"fail_threshold": 1})
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山发布", BASE - DAY)
    cycle(mw, BASE)
    sc.fail(acc, 500)
    cycle(mw, BASE + HOUR)
    (p,) = problems(mw)
    assert (p["account_id"], p["kind"], p["opened_at"], p["closed_at"]) == (
        acc, "unreachable", BASE + HOUR, None)
    assert p["due_at"] == deadline(BASE + HOUR)
    # the admins hear of it, the unit does not
    (d,) = smtp.wait_for(1)
    assert addresses(d.message, "To") == ADMINS
    text = parts(d.message)["text/plain"]
    assert "「武夷山发布」：信息源服务器出错（HTTP 500）。仍在核实时限内" in text
    assert states(mw) == {acc: "fresh"}
    # still failing: no second problem, no second mail
    cycle(mw, BASE + 2 * HOUR)
    assert len(problems(mw)) == 1
    assert len(outbox(mw)) == 1
    sc.restore(acc)
    cycle(mw, BASE + 3 * HOUR)
    (p,) = problems(mw)
    assert (p["closed_at"], p["close_reason"]) == (BASE + 3 * HOUR,
                                                   "recovered")
    assert len(outbox(mw)) == 1


# ----------------------------------------------------- delivery and retry

UNIT_CODES = ("GOV", "EDU", "HEA", "FIN", "AGR", "TRA")


def unit_alerts(sc, n=3):
    """n units with one warning account each: n queued alerts."""
    for i, code in enumerate(UNIT_CODES[:n]):
        sc.unit(code, f"单位{code}", f"{code.lower()}@example.gov.cn")
        sc.account(code, f"账号{code}", BASE - (8 + i % 5) * DAY)


def test_smtp_down_keeps_mail_queued_and_delivers_each_once_when_back(
        sc, smtp):
    mw = sc.mw
    unit_alerts(sc, 6)              # more than the daemon sends at once
    smtp.stop()
    cycle(mw, BASE)
    rows = outbox(mw)
    assert len(rows) == 6
    for r in rows:
        assert (r["status"], r["attempts"]) == ("queued", 1)
        assert r["last_error"]
        assert r["next_attempt_at"] == BASE + 600     # retry_base 10m
        assert r["sent_at"] is None

    # back, but the retry time has not come: nothing is sent yet
    smtp.start()
    cycle(mw, BASE + 300, poll=False)
    assert [r["status"] for r in outbox(mw)] == ["queued"] * 6
    assert smtp.messages == []

    cycle(mw, BASE + 601, poll=False)
    rows = outbox(mw)
    assert [(r["status"], r["attempts"], r["last_error"]) for r in rows] == [
        ("sent", 2, None)] * 6
    assert sorted(smtp.message_ids()) == sorted(r["message_id"] for r in rows)
    cycle(mw, BASE + HOUR, poll=False)
    assert len(smtp.messages) == 6


def test_backoff_doubles_and_max_attempts_marks_failed_then_retry_requeues(
        mw, feeds, smtp):
    configure(mw, smtp, mail={"max_attempts": 3, "retry_base": "10m"})
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    sc.account("GOV", "武夷山发布", BASE - 9 * DAY)
    smtp.mode = "defer"
    cycle(mw, BASE)
    (r,) = outbox(mw)
    assert (r["status"], r["attempts"], r["next_attempt_at"]) == (
        "queued", 1, BASE + 600)
    assert "451" in r["last_error"]
    cycle(mw, BASE + 600, poll=False)
    (r,) = outbox(mw)
    assert (r["status"], r["attempts"], r["next_attempt_at"]) == (
        "queued", 2, BASE + 600 + 1200)
    cycle(mw, BASE + 1800, poll=False)
    (r,) = outbox(mw)
    assert (r["status"], r["attempts"]) == ("failed", 3)
    assert "451" in r["last_error"]
    shown = mw.json("outbox", "show", str(r["id"]))
    assert shown["status"] == "failed" and "451" in shown["last_error"]
    assert [(x["address"], x["status"], x["attempts"], x["code"])
            for x in shown["recipients"]] == [
        ("gov@example.gov.cn", "pending", 3, 451)]
    assert smtp.messages == []
    # a failed email is left alone by the daemon
    cycle(mw, BASE + 2 * DAY, poll=False)
    assert outbox(mw)[0]["status"] == "failed"

    smtp.mode = "accept"
    mw.run("outbox", "retry", str(r["id"]), check=0)
    (r,) = outbox(mw)
    assert (r["status"], r["attempts"]) == ("queued", 0)
    cycle(mw, BASE + 2 * DAY + HOUR, poll=False)
    (r,) = outbox(mw)
    assert (r["status"], r["attempts"]) == ("sent", 1)
    (d,) = smtp.wait_for(1)
    assert d.message_id == r["message_id"]


def test_a_5xx_for_every_recipient_fails_at_once_and_retry_tries_them_again(
        mw, feeds, smtp):
    configure(mw, smtp, mail={"max_attempts": 5, "retry_base": "10m"})
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    sc.account("GOV", "武夷山发布", BASE - 9 * DAY)
    smtp.mode = "reject"
    cycle(mw, BASE)
    (r,) = outbox(mw)
    # permanent: no retry is scheduled, the answer is kept
    assert (r["status"], r["attempts"]) == ("failed", 1)
    assert "550 5.1.1 <gov@example.gov.cn>" in r["last_error"]
    cycle(mw, BASE + DAY, poll=False)
    assert outbox(mw)[0]["attempts"] == 1
    assert smtp.rcpts_seen == ["gov@example.gov.cn"]

    smtp.mode = "accept"
    mw.run("outbox", "retry", str(r["id"]), check=0)
    cycle(mw, BASE + DAY + HOUR, poll=False)
    (r,) = outbox(mw)
    assert (r["status"], r["attempts"], r["last_error"]) == ("sent", 1, None)
    (d,) = smtp.wait_for(1)
    assert d.rcpt_tos == ["gov@example.gov.cn"]


def test_connection_closed_mid_data_is_an_attempt_that_failed(sc, smtp):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    sc.account("GOV", "武夷山发布", BASE - 9 * DAY)
    smtp.mode = "drop"
    cycle(mw, BASE)
    (r,) = outbox(mw)
    assert (r["status"], r["attempts"]) == ("queued", 1)
    assert r["last_error"]
    assert smtp.dropped == 1
    smtp.mode = "accept"
    cycle(mw, BASE + 601, poll=False)
    assert outbox(mw)[0]["status"] == "sent"
    assert len(smtp.wait_for(1)) == 1


def test_outbox_send_delivers_queued_mail_from_the_command(sc, smtp):
    mw = sc.mw
    unit_alerts(sc)
    smtp.stop()
    cycle(mw, BASE)
    smtp.start()
    r = mw.run("outbox", "send", check=0)
    assert "3 sent, 0 failed" in r.stdout
    assert [x["status"] for x in outbox(mw)] == ["sent"] * 3
    assert len(smtp.wait_for(3)) == 3
    listed = mw.json("outbox", "list", "--status", "sent")
    assert len(listed) == 3


# ------------------------------------------------------------- kill -9

def start_daemon(mw):
    return subprocess.Popen(
        [str(mw.daemon_path), "-d", "-c", str(mw.conf_path)],
        env=mw._env(None), cwd=mw.dir, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill9(proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def assert_each_delivered_once(mw, smtp):
    rows = outbox(mw)
    assert rows and all(r["status"] == "sent" for r in rows), rows
    ids = smtp.message_ids()
    assert sorted(ids) == sorted(r["message_id"] for r in rows)
    assert len(ids) == len(set(ids))


def test_kill_9_while_sending_loses_nothing_and_sends_nothing_twice(
        sc, smtp):
    mw = sc.mw
    unit_alerts(sc)
    mw.now(BASE)
    mw.run("poll", check=0)
    # the first message goes through, the others hang in the middle of
    # their SMTP sessions when the daemon is killed
    smtp.hold(after=1)
    proc = start_daemon(mw)
    try:
        smtp.wait_held(2)
        wait_until(lambda: len(outbox(mw, "status = 'sent'")) == 1,
                   what="the first message marked sent")
        kill9(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(outbox(mw)) == 3
    queued = outbox(mw, "status = 'queued'")
    assert len(queued) == 2
    smtp.release()
    # in-flight messages were leased: a restart does not send them while
    # the dead sender might still be talking to the server ...
    assert all(r["leased_until"] > BASE for r in queued)
    cycle(mw, BASE + 60, poll=False)
    assert len(smtp.messages) == 1
    # ... and does once the lease has run out
    cycle(mw, BASE + 2 * HOUR, poll=False)
    assert_each_delivered_once(mw, smtp)


def test_kill_9_with_the_server_down_loses_nothing_after_restart(sc, smtp):
    mw = sc.mw
    unit_alerts(sc)
    mw.now(BASE)
    mw.run("poll", check=0)
    smtp.stop()
    proc = start_daemon(mw)
    try:
        wait_until(lambda: len(outbox(mw, "attempts = 1")) == 3,
                   what="three failed attempts")
        kill9(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    smtp.start()
    cycle(mw, BASE + HOUR, poll=False)
    assert_each_delivered_once(mw, smtp)
    cycle(mw, BASE + 2 * HOUR, poll=False)
    assert len(smtp.messages) == 3


# ------------------------------------------------ maildir and sendmail

def test_maildir_transport_writes_each_message_as_a_private_file(mw, feeds):
    maildir = mw.dir / "Maildir"
    configure(mw, mail={"maildir": str(maildir)})
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    sc.unit("EDU", "武夷山市教育局", "edu@example.gov.cn")
    sc.account("GOV", "武夷山之声", BASE - 20 * DAY)
    sc.account("EDU", "武夷山教育", BASE - 8 * DAY)
    cycle(mw, BASE)
    files = sorted((maildir / "new").iterdir())
    assert len(files) == 2
    assert {p.name for p in (maildir / "cur").iterdir()} == set()
    assert list((maildir / "tmp").iterdir()) == []
    rows = {r["message_id"]: r for r in outbox(mw)}
    assert all(r["status"] == "sent" for r in rows.values())
    for path in files:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & ~0o660 == 0, oct(mode)
        msg = email.message_from_bytes(path.read_bytes(),
                                       policy=email.policy.default)
        row = rows[msg["Message-ID"]]
        assert str(msg["Subject"]) == row["subject"]
        assert addresses(msg, "To") == json.loads(row["recipients"])
        assert addresses(msg, "Cc") == json.loads(row["cc"])
        text = assert_well_formed(msg)
        assert text["text/plain"].replace("\r\n", "\n").rstrip("\n") == \
            row["body_text"].rstrip("\n")
    for d in ("new", "cur", "tmp"):
        assert stat.S_IMODE((maildir / d).stat().st_mode) & 0o007 == 0


SENDMAIL_SCRIPT = """#!/usr/bin/python3
import json, os, sys
out = {out!r}
n = len(os.listdir(out))
data = sys.stdin.buffer.read()
with open(os.path.join(out, f"{{n}}.msg"), "wb") as f:
    f.write(data)
with open(os.path.join(out, f"{{n}}.json"), "w") as f:
    json.dump(sys.argv[1:], f)
"""


def test_sendmail_transport_runs_the_program_with_envelope_arguments(
        mw, feeds):
    out = mw.dir / "sent"
    out.mkdir()
    script = mw.write("fake-sendmail", SENDMAIL_SCRIPT.format(out=str(out)))
    script.chmod(0o755)
    configure(mw, mail={"transport": "sendmail", "sendmail": str(script)})
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn",
            "office@example.gov.cn")
    sc.account("GOV", "武夷山之声", BASE - 20 * DAY)
    cycle(mw, BASE)
    (row,) = outbox(mw)
    assert row["status"] == "sent"
    argv = json.loads((out / "0.json").read_text())
    assert argv == ["-i", "-f", FROM_ADDR, "--", "gov@example.gov.cn",
                    "office@example.gov.cn", *ADMINS]
    msg = email.message_from_bytes((out / "0.msg").read_bytes(),
                                   policy=email.policy.default)
    assert msg["Message-ID"] == row["message_id"]
    assert str(msg["Subject"]) == UNIT_SUBJECT.format(
        unit="武夷山市人民政府办公室", n=1)
    assert_well_formed(msg)


def test_sendmail_failure_keeps_the_message_queued_with_the_error(mw, feeds):
    script = mw.write("broken-sendmail",
                      "#!/bin/sh\ncat >/dev/null\necho 'no relay' >&2\nexit 75\n")
    script.chmod(0o755)
    configure(mw, mail={"transport": "sendmail", "sendmail": str(script)})
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    sc.account("GOV", "武夷山之声", BASE - 20 * DAY)
    cycle(mw, BASE)
    (row,) = outbox(mw)
    assert (row["status"], row["attempts"]) == ("queued", 1)
    assert row["last_error"]


# --------------------------------------------------------------- retention

def test_mail_retention_clears_the_text_of_old_sent_mail_keeping_the_record(
        mw, feeds):
    """mail.retention: a message sent longer ago loses its text, and the
    daemon logs it; its subject, addressees and times stay, and `outbox
    show` says when the text was cleared.  Messages sent since, and those
    not sent, keep their text."""
    maildir = str(mw.dir / "Maildir")
    configure(mw, mail={"maildir": maildir, "retention": "30d"})
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    sc.unit("EDU", "武夷山市教育局", "edu@example.gov.cn")
    sc.account("GOV", "武夷山之声", BASE - 20 * DAY)
    cycle(mw, BASE)
    (first,) = outbox(mw)
    assert first["status"] == "sent" and first["body_text"]
    sc.account("EDU", "武夷山教育", BASE)
    cycle(mw, BASE + 20 * DAY)
    later = [r for r in outbox(mw) if r["id"] != first["id"]]
    assert later and all(r["status"] == "sent" for r in later)
    # from now on nothing can be delivered: new mail stays queued
    broken = mw.write("broken-sendmail", "#!/bin/sh\ncat >/dev/null\nexit 75\n")
    broken.chmod(0o755)
    configure(mw, mail={"transport": "sendmail", "sendmail": str(broken),
                        "retention": "30d"})
    mw.now(BASE + 31 * DAY)
    mw.run("poll", check=0)
    r = mw.run_daemon("--once", "-d", "-v", check=0, timeout=90)
    assert "cleared the text of 1 messages sent before" in r.stderr
    rows = {x["id"]: x for x in outbox(mw)}
    cleared = rows.pop(first["id"])
    assert (cleared["body_text"], cleared["body_html"]) == ("", None)
    assert cleared["body_expired_at"] == BASE + 31 * DAY
    for key in ("status", "subject", "recipients", "cc", "message_id",
                "created_at", "sent_at", "dedup_key"):
        assert cleared[key] == first[key], key
    assert any(x["status"] == "queued" for x in rows.values())
    for x in rows.values():
        assert x["body_text"] and x["body_expired_at"] is None, x
    shown = mw.json("outbox", "show", str(first["id"]))
    assert shown["body_expired_at"] == BASE + 31 * DAY
    assert shown["subject"] == first["subject"]
    table = mw.run("outbox", "show", str(first["id"]), check=0,
                   env={"LANG": "zh_CN.UTF-8", "LC_ALL": None}).stdout
    assert re.search(r"^正文清除时间 +2026-04-02 10:00$", table, re.M), table


# ------------------------------------------------------------------ digest

def test_digest_goes_to_admins_once_a_day_after_digest_time(mw, feeds, smtp):
    configure(mw, smtp, mail={"digest_time": "08:30"})
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    stale = sc.account("GOV", "武夷山之声", BASE - 20 * DAY)
    sc.account("GOV", "武夷山发布", BASE - DAY)
    day = calendar.timegm((2026, 3, 2, 0, 0, 0)) - 8 * HOUR   # 00:00 +08

    cycle(mw, day + 8 * HOUR)                # 08:00: too early
    assert [r["kind"] for r in outbox(mw)] == ["alert"]
    # the digest counts the queue: the alert as if refused for good
    con = sqlite3.connect(mw.db_path)
    with con:
        con.execute("UPDATE outbox SET status = 'failed' WHERE kind = 'alert'")
    con.close()
    # a second problem of the stale account, and one of the unit as a
    # whole: three problems, about one account
    mw.run("problem", "add", "--account", str(stale), "--detail",
           "栏目长期空白", check=0)
    mw.run("problem", "add", "--unit", "GOV", "--detail", "未明确账号管理员",
           check=0)
    cycle(mw, day + 9 * HOUR)                # 09:00: the digest
    cycle(mw, day + 17 * HOUR)               # same day: no second one
    digests = outbox(mw, "kind = 'digest'")
    assert len(digests) == 1
    assert json.loads(digests[0]["recipients"]) == ADMINS
    got = [d for d in smtp.wait_for(2) if d.message_id ==
           digests[0]["message_id"]]
    assert len(got) == 1
    msg = got[0].message
    assert str(msg["Subject"]) == (
        "【政务新媒体监测日报】2026年3月2日：超期未更新1个，预警0个，长期未更新0个")
    assert addresses(msg, "To") == ADMINS
    text = assert_well_formed(msg)["text/plain"]
    assert "监测账号：2 个" in text
    assert "「武夷山之声」：超期未更新" in text
    assert "未销号问题：3 个（涉及 1 个账号），其中已逾整改期限 0 个" in text
    assert "待发送邮件：0 封，发送失败 1 封" in text
    assert states(mw)[stale] == "stale"

    cycle(mw, day + DAY + 8 * HOUR + 29 * 60)     # next day 08:29
    assert len(outbox(mw, "kind = 'digest'")) == 1
    cycle(mw, day + DAY + 8 * HOUR + 30 * 60)     # next day 08:30
    digests = outbox(mw, "kind = 'digest'")
    assert len(digests) == 2
    assert "2026年3月3日" in digests[1]["subject"]


# -------------------------------------------------------- header injection

def test_cr_lf_in_unit_and_account_names_cannot_add_a_header(sc, smtp):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山发布", BASE - 20 * DAY)
    con = sqlite3.connect(mw.db_path)
    with con:
        con.execute("UPDATE unit SET name = ?, contact = ? WHERE code = 'GOV'",
                    ("办公室\r\nBcc: evil@example.com\r\nX-Injected: 1",
                     "李\nX-Contact: 1"))
        con.execute("UPDATE account SET name = ? WHERE id = ?",
                    ("发布\r\nX-Account: 1\r\n\r\n<b>正文</b>", acc))
    con.close()
    cycle(mw, BASE)
    (d,) = smtp.wait_for(1)
    msg = d.message
    names = {k.lower() for k in msg.keys()}
    assert names <= {"from", "to", "cc", "subject", "date", "message-id",
                     "mime-version", "auto-submitted", "content-type"}, names
    assert "evil@example.com" not in d.rcpt_tos
    assert sorted(d.rcpt_tos) == sorted(["gov@example.gov.cn", *ADMINS])
    subject = str(msg["Subject"])
    assert "\r" not in subject and "\n" not in subject
    assert "办公室" in subject and "Bcc: evil@example.com" in subject
    assert msg.defects == []
    html = assert_well_formed(msg)["text/html"]
    assert "<b>正文" not in html and "&lt;b&gt;正文&lt;/b&gt;" in html
    for line in d.data.split(b"\r\n"):
        assert not line.lower().startswith((b"bcc:", b"x-injected:",
                                            b"x-account:", b"x-contact:"))


# ------------------------------------------------------------- status

def test_status_json_counts_accounts_per_state_and_per_unit(mw, feeds):
    configure(mw, poll={"fail_threshold": 1})
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    sc.unit("EDU", "武夷山市教育局", "edu@example.gov.cn")
    sc.account("GOV", "一", BASE - DAY)
    sc.account("GOV", "二", BASE - 2 * DAY)
    sc.account("GOV", "三", BASE - 9 * DAY)
    sc.account("GOV", "四", BASE - 20 * DAY)
    sc.account("EDU", "五", BASE - 100 * DAY)
    gap = sc.account("EDU", "六", BASE - 2 * DAY)
    mw.now(REGISTERED)
    suspended = mw.open_account("EDU", "weibo", "七", feed=feeds.url("/x"))
    mw.run("account", "suspend", str(suspended), "--reason", "测试", check=0)
    cycle(mw, BASE)
    sc.fail(gap)
    cycle(mw, BASE + 12 * DAY)
    # at +12 d: 一 13 d warning, 二 14 d stale, 三 21 d stale, 四 32 d stale,
    # 五 112 d dormant, 六 failing and unverifiable
    st = mw.json("status")
    assert st["active"] == 6
    assert st["suspended"] == 1
    assert st["states"] == {"fresh": 0, "warning": 1, "stale": 3,
                            "dormant": 1, "unverified": 1,
                            "not_evaluated": 0}
    assert st["failing_feeds"] == 1
    assert [f["name"] for f in st["failing"]] == ["六"]
    units = {u["unit"]: u for u in st["units"]}
    assert {k: units["GOV"][k] for k in ("active", "fresh", "warning",
                                         "stale", "dormant", "unverified")} \
        == {"active": 4, "fresh": 0, "warning": 1, "stale": 3, "dormant": 0,
            "unverified": 0}
    assert {k: units["EDU"][k] for k in ("active", "fresh", "warning",
                                         "stale", "dormant", "unverified")} \
        == {"active": 2, "fresh": 0, "warning": 0, "stale": 0, "dormant": 1,
            "unverified": 1}
    # stale: 3 (二 三 四) + dormant 五 (one problem) + unreachable 六
    assert st["open_problems"] == 5
    assert st["problem_accounts"] == 5
    assert units["GOV"]["open_problems"] == 3
    assert units["EDU"]["open_problems"] == 2
    assert st["outbox"]["sent"] == len(outbox(mw))
    text = mw.run("status", check=0).stdout
    assert "1 warning, 3 stale, 1 dormant, 1 unverified" in text


# ---------------------------------------------------- manual problems

def test_manual_problem_add_close_reopen_is_audited(mw):
    configure(mw)
    mw.now(REGISTERED)
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    acc = mw.open_account("GOV", "weibo", "武夷山发布")
    env = {"SUDO_USER": "zhangsan"}
    mw.now(BASE)
    pid = int(mw.run("problem", "add", "--account", str(acc), "--detail",
                     "转发内容出现错别字", "--kind", "wording", "--due",
                     "2026-03-10", env=env, check=0).stdout)
    p = mw.json("problem", "show", str(pid))
    assert (p["kind"], p["state"], p["account_id"], p["unit"],
            p["opened_by"], p["opened_at"], p["detail"]) == (
        "wording", "open", acc, "GOV", "zhangsan", BASE, "转发内容出现错别字")
    # due by the end of the day given
    assert p["due_at"] == calendar.timegm((2026, 3, 11, 0, 0, 0)) - 8 * HOUR - 1

    mw.now(BASE + DAY)
    mw.run("problem", "close", str(pid), "--reason", "rectified", "--note",
           "已更正", env=env, check=0)
    p = mw.json("problem", "show", str(pid))
    assert (p["state"], p["closed_at"], p["close_reason"], p["close_note"]) \
        == ("closed", BASE + DAY, "rectified", "已更正")
    r = mw.run("problem", "close", str(pid), "--reason", "waived", check=1)
    assert "closed already" in r.stderr

    r = mw.run("problem", "reopen", str(pid), check=1)
    assert "note" in r.stderr
    mw.now(BASE + 2 * DAY)
    again = int(mw.run("problem", "reopen", str(pid), "--note", "复查仍有错误",
                       env=env, check=0).stdout)
    # the closed problem stays as it was; a new one names it
    p = mw.json("problem", "show", str(pid))
    assert (p["state"], p["closed_at"], p["close_reason"], p["reopened_as"]) \
        == ("closed", BASE + DAY, "rectified", again)
    n = mw.json("problem", "show", str(again))
    assert (n["state"], n["kind"], n["detail"], n["opened_at"], n["opened_by"],
            n["due_at"], n["reopened_from"]) == (
        "open", "wording", "转发内容出现错别字", BASE + 2 * DAY, "zhangsan",
        deadline(BASE + 2 * DAY), pid)
    assert mw.sql("SELECT problem_id, actor, action, other_id, note FROM"
                  " problem_event") == [(pid, "zhangsan", "reopened", again,
                                         "复查仍有错误")]

    unit_pid = int(mw.run("problem", "add", "--unit", "GOV", "--detail",
                          "未按期报送整改报告", env=env, check=0).stdout)
    u = mw.json("problem", "show", str(unit_pid))
    assert (u["kind"], u["account_id"], u["due_at"]) == (
        "manual", None, deadline(BASE + 2 * DAY))

    audit = mw.sql("SELECT at, actor, action, entity_id, before, after,"
                   " reason FROM audit WHERE entity = 'problem' ORDER BY id")
    assert [(a[0], a[1], a[2], a[3]) for a in audit] == [
        (BASE, "zhangsan", "problem.add", pid),
        (BASE + DAY, "zhangsan", "problem.close", pid),
        (BASE + 2 * DAY, "zhangsan", "problem.reopen", again),
        (BASE + 2 * DAY, "zhangsan", "problem.add", unit_pid)]
    add, close, reopen, _ = audit
    assert add[4] is None and json.loads(add[5])["state"] == "open"
    assert json.loads(close[4])["state"] == "open"
    assert json.loads(close[5])["close_reason"] == "rectified"
    assert close[6] == "已更正"
    assert reopen[4] is None
    assert json.loads(reopen[5])["reopened_from"] == pid
    assert reopen[6] == "复查仍有错误"


def test_problem_add_refuses_automatic_kinds_and_unknown_accounts(mw):
    configure(mw)
    mw.now(REGISTERED)
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    before = mw.dump()
    r = mw.run("problem", "add", "--unit", "GOV", "--kind", "stale",
               "--detail", "x", check=1)
    assert "kind" in r.stderr
    r = mw.run("problem", "add", "--account", "999", "--detail", "x", check=1)
    assert "account" in r.stderr
    assert mw.dump() == before


def test_problem_list_overdue_shows_only_open_problems_past_their_due(mw):
    configure(mw)
    mw.now(REGISTERED)
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    mw.add_unit("EDU", "武夷山市教育局")
    mw.now(BASE)

    def add(unit, detail, due):
        return int(mw.run("problem", "add", "--unit", unit, "--detail",
                          detail, "--due", due, check=0).stdout)

    late = add("GOV", "逾期", "2026-02-20")
    add("GOV", "未到期", "2026-03-20")
    late_closed = add("EDU", "逾期已整改", "2026-02-25")
    late_edu = add("EDU", "教育逾期", "2026-03-01")
    mw.run("problem", "close", str(late_closed), "--reason", "rectified",
           check=0)
    rows = mw.json("problem", "list", "--overdue")
    assert [r["id"] for r in rows] == [late_edu, late]      # by unit code
    assert all(r["overdue"] for r in rows)
    rows = mw.json("problem", "list", "--overdue", "--unit", "GOV")
    assert [r["id"] for r in rows] == [late]
    # what is overdue depends on the clock
    mw.now(BASE + 30 * DAY)
    assert len(mw.json("problem", "list", "--overdue")) == 3
    assert len(mw.json("problem", "list", "--state", "all")) == 4


# ----------------------------------------------------------- more cases

def test_sigterm_while_the_server_is_slow_exits_and_sends_no_empty_message(
        sc, smtp):
    mw = sc.mw
    unit_alerts(sc, 2)
    mw.now(BASE)
    mw.run("poll", check=0)
    smtp.hold(at="data")            # the server takes its time to say 354
    proc = start_daemon(mw)
    try:
        smtp.wait_held(2)
        proc.send_signal(signal.SIGTERM)
        try:
            # the stop grace is 10 s; unsent mail just stays queued
            proc.wait(timeout=15)
            exited = True
        except subprocess.TimeoutExpired:
            exited = False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    smtp.release()
    smtp.wait_held(0)
    cycle(mw, BASE + HOUR, poll=False)
    # an abandoned transfer must not be completed as an empty or cut
    # message: the server may only ever see whole messages
    empty = [d.data for d in smtp.messages if d.message_id is None]
    assert exited, "mediawatchd still running 15 s after SIGTERM"
    assert empty == []
    assert_each_delivered_once(mw, smtp)


def test_outbox_send_leaves_alone_mail_the_daemon_is_delivering(sc, smtp):
    mw = sc.mw
    unit_alerts(sc, 2)
    mw.now(BASE)
    mw.run("poll", check=0)
    smtp.hold(count=2)              # the daemon's two sessions wait
    proc = start_daemon(mw)
    try:
        smtp.wait_held(2)
        # an admin pushes the queue meanwhile: the leased mail is the
        # daemon's, sending it here too would deliver it twice
        mw.run("outbox", "send")
        smtp.release()
        smtp.wait_held_delivered(2)
        wait_until(lambda: len(outbox(mw, "status = 'sent'")) == 2,
                   what="both messages sent")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert_each_delivered_once(mw, smtp)


def test_broken_template_override_falls_back_and_admins_hear_of_it(
        mw, feeds, smtp):
    templates = mw.dir / "templates"
    templates.mkdir()
    good = (mw.repo / "conf" / "templates" / "unit-alert.txt").read_text(
        encoding="utf-8")
    (templates / "unit-alert.txt").write_text(
        good.replace("{{unit_name}}{{#contact_name}}",
                     "{{unit_nmae}}{{#contact_name}}", 1),
        encoding="utf-8")
    configure(mw, smtp, mail={"templates": str(templates)})
    sc = Scenario(mw, feeds)
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山之声", BASE - 20 * DAY)
    soon = sc.account("GOV", "武夷山发布", BASE - 14 * DAY + HOUR // 2)
    r = cycle(mw, BASE)
    assert r.returncode == 0, r.stderr
    assert "unit-alert.txt:7:" in r.stderr and "unit_nmae" in r.stderr
    # the bookkeeping is not held back by a broken edit ...
    assert states(mw) == {acc: "stale", soon: "warning"}
    assert [p["kind"] for p in problems(mw)] == ["stale"]
    # ... the unit's alert goes out in the built-in words ...
    rows = {row["kind"]: row for row in outbox(mw)}
    assert set(rows) == {"alert", "template-error"}
    assert rows["alert"]["body_text"].startswith("武夷山市人民政府办公室")
    # ... and the admins are told what to fix, once a day
    assert "unit-alert" in rows["template-error"]["subject"]
    assert "unit-alert.txt:7:" in rows["template-error"]["body_text"]
    assert len(smtp.wait_for(2)) == 2
    cycle(mw, BASE + HOUR)                 # the second account turns stale
    assert states(mw) == {acc: "stale", soon: "stale"}
    kinds = sorted(row["kind"] for row in outbox(mw))
    assert kinds == ["alert", "alert", "template-error"]


def test_suspended_account_gets_no_mail_and_its_problems_are_waived(
        sc, smtp):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山之声", BASE - 20 * DAY)
    cycle(mw, BASE)
    assert len(problems(mw, "closed_at IS NULL")) == 1
    mw.run("account", "suspend", str(acc), "--reason", "暂停运维", check=0)
    cycle(mw, BASE + 4 * DAY)             # a reminder would be due
    (p,) = problems(mw)
    assert (p["closed_at"], p["close_reason"]) == (BASE + 4 * DAY, "waived")
    assert len(outbox(mw)) == 1
    assert len(smtp.wait_for(1)) == 1


def test_dormant_account_posting_again_closes_its_problem(sc, smtp):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山旅游", BASE - 100 * DAY)
    cycle(mw, BASE)
    assert states(mw) == {acc: "dormant"}
    assert [p["kind"] for p in problems(mw)] == ["dormant"]
    sc.post(acc, BASE + DAY - HOUR)
    cycle(mw, BASE + DAY)
    assert states(mw) == {acc: "fresh"}
    assert [(p["closed_at"], p["close_reason"]) for p in problems(mw)] == [
        (BASE + DAY, "recovered")]
    got = smtp.wait_for(2)
    assert [str(d.message["Subject"]) for d in got] == [
        UNIT_SUBJECT.format(unit="武夷山市人民政府办公室", n=1),
        RECOVERY_SUBJECT.format(unit="武夷山市人民政府办公室", n=1)]
    # days without update before the new post (100, or 101 counted to the
    # evaluation), not the 0 days since the new post
    text = parts(got[1].message)["text/plain"]
    assert "此前 100 天未更新" in text or "此前 101 天未更新" in text, text


def test_long_chinese_subject_is_folded_and_decodes_back_whole(sc, smtp):
    name = "武夷山市" + "人民政府办公室综合信息科" * 6
    sc.unit("GOV", name, "gov@example.gov.cn")
    sc.account("GOV", "武夷山政务", BASE - 9 * DAY)
    cycle(sc.mw, BASE)
    (d,) = smtp.wait_for(1)
    assert str(d.message["Subject"]) == UNIT_SUBJECT.format(unit=name, n=1)
    for line in d.data.split(b"\r\n"):
        assert len(line) <= 78, line
    raw_subject = d.data.split(b"\r\nSubject:", 1)[1].split(b"\r\nDate:")[0]
    assert b"=?UTF-8?" in raw_subject and b"\r\n " in raw_subject
