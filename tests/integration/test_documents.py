"""Official documents (issue 15): notices and bulletins numbered as a
registry office numbers them (preview, issue, void), bulletins only for
watched time with monitoring gaps apart, units in the configured order and
ranked, each account once, and the 公文 .docx read back with python-docx
and, converted by LibreOffice, with pdftotext.

Monitoring itself is the real `mediawatchd --once` over feeds served on
loopback, with the clock fixed by MEDIAWATCH_NOW; the month of history
the notice and bulletin tests share is notice_history.py's."""

import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import docx
import pytest

import notice_history as history
from conftest import Mediawatch
from feedserver import feeds  # noqa: F401  (fixture)
from test_docx import by_style, flat, pdf_pages, pdf_text, to_pdf

CST = timezone(timedelta(hours=8))
DAY = 86400


def rss(*items):
    """An RSS 2.0 feed of (guid, datetime) items."""
    body = "".join(
        f"<item><title>动态 {guid}</title><guid>{guid}</guid>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for guid, when in items)
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0">'
            f"<channel><title>测试</title>{body}</channel></rss>")


def at(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=CST)


def configure(mw, extra=""):
    mw.write_config('poll = { interval = "1h"; jitter = 0; timeout = "5s";'
                    ' fail_threshold = 1; };\n'
                    'mail = { digest_time = "23:59"; };\n' + extra)


def evaluate(mw, when):
    """One monitoring cycle at when: every account due, mediawatchd --once."""
    mw.now(when)
    mw.run("poll", check=0)
    mw.run_daemon("--once", check=0, timeout=90)


def bulletin_json(mw, month, env=None):
    r = mw.run("bulletin", "preview", "--month", month, "--format", "json",
               env=env, check=0)
    return json.loads(r.stdout)


# ---------------------------------------------------------- watched time

@pytest.fixture
def county(mw, feeds):
    """Installed on 2 December 2026: two units, three accounts with feeds
    (one answering 404), registered that morning."""
    configure(mw, 'document = { unit_order = [ "GOV", "EDU" ]; };')
    mw.now("2026-12-02T09:00:00")
    mw.add_unit("EDU", "县教育局")
    mw.add_unit("GOV", "县政府办公室")
    fresh = rss(("a1", at("2026-12-01T10:00:00")))
    quiet = rss(("b1", at("2026-11-01T10:00:00")))
    acc = {
        "fresh": mw.open_account("EDU", "wechat", "教育发布", "--opened",
                                 "2020-01-01", uid="gh_edu",
                                 feed=feeds.serve("/fresh.xml", fresh)),
        "quiet": mw.open_account("GOV", "weibo", "县政府发布", "--opened",
                                 "2020-01-01", uid="gov_wb",
                                 feed=feeds.serve("/quiet.xml", quiet)),
        "broken": mw.open_account("GOV", "douyin", "县政府抖音", "--opened",
                                  "2020-01-01", uid="gov_dy",
                                  feed=feeds.serve("/gone.xml", "gone",
                                                   status=404)),
    }
    return mw, acc


def test_bulletin_before_monitoring_began_is_refused(county):
    mw, _ = county
    mw.now("2026-12-02T09:30:00")
    r = mw.run("bulletin", "--month", "2026-12", check=1)
    assert "monitoring has not begun" in r.stderr
    evaluate(mw, "2026-12-02T10:00:00")
    # the previous month was never watched: no full November bulletin
    mw.now("2026-12-02T11:00:00")
    r = mw.run("bulletin", "--previous-month", check=1)
    assert "month 2026-11" in r.stderr
    assert "monitoring began on 2026年12月2日" in r.stderr
    assert r.stdout == ""
    r = mw.run("bulletin", "issue", "--month", "2026-11", check=1)
    assert mw.sql("SELECT count(*) FROM document")[0][0] == 0


def test_bulletin_covers_only_the_watched_days_and_says_so(county):
    mw, acc = county
    evaluate(mw, "2026-12-02T10:00:00")
    d = bulletin_json(mw, "2026-12", env={"MEDIAWATCH_NOW":
                                          "2026-12-02T12:00:00"})
    assert d["period"] == ["2026年12月2日", "2026年12月31日"]
    assert d["partial"] is True
    assert d["monitoring_began"] == "2026年12月2日"
    overview = d["body"][2]["text"]
    assert overview.startswith("本期监测时段为2026年12月2日至2026年12月31日"
                               "（监测自2026年12月2日开始，此前时段未纳入本期"
                               "通报）")
    # the quiet account posted on 1 November, before monitoring: no posts
    # in the watched time
    posts = {a["account"]: a["posts"] for a in d["accounts"]}
    assert posts["县政府发布"] == 0 and posts["教育发布"] == 0


def test_a_months_kept_figures_give_the_bulletin_computed_live(county, feeds):
    """The first cycle after a month ends keeps its figures per account;
    the bulletin read from them is the one computed live, and a post
    dated in the month but found after they were kept still counts."""
    mw, acc = county
    fresh = [("a1", at("2026-12-01T10:00:00"))]
    evaluate(mw, "2026-12-02T10:00:00")
    fresh.append(("a2", at("2026-12-10T09:00:00")))
    feeds.serve("/fresh.xml", rss(*fresh))
    evaluate(mw, "2026-12-20T10:00:00")
    later = {"MEDIAWATCH_NOW": "2027-01-02T09:00:00"}
    live = bulletin_json(mw, "2026-12", env=later)
    assert mw.sql("SELECT count(*) FROM bulletin_month")[0][0] == 0
    mw.now("2027-01-01T10:00:00")
    mw.run("poll", check=0)
    r = mw.run_daemon("--once", "-d", "-v", check=0, timeout=90)
    assert "kept last month's bulletin figures of 3 accounts" in r.stderr
    assert mw.sql("SELECT month FROM bulletin_month") == [("2026-12",)]
    kept = bulletin_json(mw, "2026-12", env=later)
    assert kept == live
    # the quiet account's December post, found only now
    feeds.serve("/quiet.xml", rss(("b1", at("2026-11-01T10:00:00")),
                                  ("b2", at("2026-12-15T10:00:00"))))
    evaluate(mw, "2027-01-01T12:00:00")
    with_late = bulletin_json(mw, "2026-12", env=later)
    posts = {a["account"]: a["posts"] for a in with_late["accounts"]}
    assert posts["县政府发布"] == 1
    assert posts == {a["account"]: a["posts"] + (a["account"] == "县政府发布")
                     for a in live["accounts"]}
    # and the same as computed live now
    con = sqlite3.connect(mw.db_path, timeout=30)
    with con:
        con.execute("DELETE FROM bulletin_figures")
        con.execute("DELETE FROM bulletin_month")
    con.close()
    assert bulletin_json(mw, "2026-12", env=later) == with_late


def test_unverified_and_unevaluated_accounts_are_gaps_not_failures(county):
    mw, acc = county
    evaluate(mw, "2026-12-02T10:00:00")
    mw.now("2026-12-03T09:00:00")
    late = mw.open_account("EDU", "toutiao", "教育头条", "--opened",
                           "2020-01-01", uid="edu_tt")
    mw.now("2026-12-03T10:00:00")
    d = bulletin_json(mw, "2026-12")
    result = {a["account"]: (a["result"], a["reasons"])
              for a in d["accounts"]}
    assert result["教育发布"] == ("合格", "")
    assert result["县政府发布"] == ("不合格", "超期未更新")
    # the 404 feed: we cannot see the account, the unit is not blamed
    assert result["县政府抖音"][0] == "监测缺口"
    assert "订阅" in result["县政府抖音"][1]
    assert result["教育头条"] == ("监测缺口", "登记后尚未完成首次监测")
    s = d["summary"]
    assert (s["accounts"], s["qualified"], s["unqualified"], s["gaps"]) == (
        2, 1, 1, 2)
    assert s["pass_rate"] == "50.0%"
    assert [g["account"] for g in d["gaps"]] == ["县政府抖音", "教育头条"]
    # the stale account's problem is a work order received in the month
    assert [a["key"] for a in d["attachments"]] == ["ranking", "orders",
                                                    "unqualified", "gaps"]
    assert any(p["text"] == "四、监测缺口" for p in d["body"])
    assert late not in acc.values()


def test_units_in_the_configured_order_and_ranked(county):
    mw, _ = county
    evaluate(mw, "2026-12-02T10:00:00")
    mw.now("2026-12-03T10:00:00")
    d = bulletin_json(mw, "2026-12")
    # GOV first, as document.unit_order says, though EDU sorts first
    assert [u["key"] for u in d["units"]] == ["GOV", "EDU"]
    assert [a["unit"] for a in d["accounts"]] == ["GOV", "GOV", "EDU"]
    assert [(u["name"], u["rank"], u["pass_rate"]) for u in d["ranking"]] == [
        ("县教育局", 1, "100.0%"), ("县政府办公室", 2, "0.0%")]
    # codes listed twice keep their first place; codes of no unit take
    # none
    configure(mw, 'document = { unit_order = [ "ZZ", "GOV", "AA", "EDU",'
              ' "GOV" ]; };')
    d = bulletin_json(mw, "2026-12")
    assert [u["key"] for u in d["units"]] == ["GOV", "EDU"]
    configure(mw, 'document = { unit_order = [ "EDU", "ZZ", "GOV", "EDU" ];'
              ' };')
    d = bulletin_json(mw, "2026-12")
    assert [u["key"] for u in d["units"]] == ["EDU", "GOV"]
    assert [a["unit"] for a in d["accounts"]] == ["EDU", "GOV", "GOV"]
    # without the list, units go by code
    configure(mw)
    d = bulletin_json(mw, "2026-12")
    assert [u["key"] for u in d["units"]] == ["EDU", "GOV"]


def units_of_one_account(mw, codes, quiet):
    """A unit 单位X per code, each with one account watched in March
    2026 that posted on the 30th, but the quiet unit's; the clock then
    at 1 April."""
    mw.now("2026-03-01T09:00:00")
    for code in codes:
        mw.add_unit(code, f"单位{code}")
        acc = mw.open_account(code, "weibo", f"账号{code}", "--opened",
                              "2026-01-01", uid=code.lower())
        history.state_change(mw, acc, None, "fresh", "2026-03-01T10:00:00",
                             None)
        if code != quiet:
            history.post(mw, acc, "2026-03-30T10:00:00", f"p{code}")
    mw.now("2026-04-01T09:00:00")


def test_ties_share_a_rank(mw):
    units_of_one_account(mw, "ABC", quiet="B")
    d = bulletin_json(mw, "2026-03")
    assert [(u["key"], u["rank"]) for u in d["ranking"]] == [
        ("A", 1), ("C", 1), ("B", 3)]


def test_many_tied_units_are_summed_up_in_the_ranking_sentence(mw):
    """Up to five units sharing the best or worst rate are named; more
    are named three and counted (甲、乙、丙等7个单位)."""
    units_of_one_account(mw, "ABCDEFGH", quiet="H")
    d = bulletin_json(mw, "2026-03")
    text = next(p["text"] for p in d["body"] if "合格率最高" in p["text"])
    assert "其中，单位A、单位B、单位C等7个单位合格率最高（100.0%）；单位H合格率" \
        "最低（0.0%）。" in text, text


# ---------------------------------------------------------- numbering

def serials(mw, kind="notice"):
    return mw.sql("SELECT id, serial, state FROM document WHERE kind = ?"
                  " ORDER BY id", (kind,))


def test_preview_issue_void_numbering(mw):
    mw.write_config('notice = { serial_format = "武政新通〔%Y〕%N号"; };')
    mw.add_unit("GOV", "县政府办公室")
    mw.now("2026-12-02T09:00:00")
    mw.run("problem", "add", "--unit", "GOV", "--detail", "未建立台账",
           check=0)
    # previews take no number and store nothing
    for _ in range(3):
        r = mw.run("notice", "preview", "--unit", "GOV", check=0)
        assert "（预览稿，未编号）" in r.stdout
    assert serials(mw) == []
    ids = [mw.run("notice", "issue", "--unit", "GOV", "--out", mw.dir /
                  f"n{i}.md", check=0).stdout.strip() for i in range(2)]
    assert serials(mw) == [(1, "武政新通〔2026〕1号", "issued"),
                           (2, "武政新通〔2026〕2号", "issued")]
    mw.run("notice", "void", ids[1], check=2)            # no reason
    mw.run("notice", "void", ids[1], "--reason", "试发，作废", check=0)
    r = mw.run("notice", "void", ids[1], "--reason", "再次", check=1)
    assert "voided before" in r.stderr
    # the voided number is never given again
    mw.run("notice", "issue", "--unit", "GOV", check=0)
    assert serials(mw) == [(1, "武政新通〔2026〕1号", "issued"),
                           (2, "武政新通〔2026〕2号", "void"),
                           (3, "武政新通〔2026〕3号", "issued")]
    rows = {r["id"]: r for r in mw.json("notice", "list")}
    assert rows[2]["state"] == "void" and rows[2]["void_reason"] == "试发，作废"
    # shown as voided, in every format
    shown = mw.run("notice", "show", "2", check=0).stdout
    assert "本件已于2026年12月2日作废。作废原因：试发，作废" in shown
    assert json.loads(mw.run("notice", "show", "2", "--format", "json",
                             check=0).stdout)["void"]["reason"] == "试发，作废"
    audit = mw.sql("SELECT action, entity, entity_id, reason FROM audit"
                   " WHERE entity = 'document' ORDER BY id")
    assert audit == [("notice.issue", "document", 1, None),
                     ("notice.issue", "document", 2, None),
                     ("notice.void", "document", 2, "试发，作废"),
                     ("notice.issue", "document", 3, None)]


def test_void_names_the_wrong_kind_and_unknown_ids(hist_db):
    mw = hist_db
    mw.now("2026-04-02T09:00:00")
    r = mw.run("bulletin", "void", "1", "--reason", "x", check=1)
    assert "document 1 is a notice" in r.stderr
    r = mw.run("notice", "void", "99", "--reason", "x", check=1)
    assert "no such notice" in r.stderr
    mw.run("notice", "show", "x", check=2)


def test_voided_notices_are_not_counted(hist_db):
    mw = hist_db
    mw.now("2026-03-20T09:00:00")
    mw.run("notice", "void", "2", "--reason", "重复下发", check=0)
    mw.now("2026-04-01T06:00:00")
    d = bulletin_json(mw, "2026-03")
    assert d["summary"]["notices"] == 1
    assert [n["serial"] for n in d["notices"]] == ["〔2026〕1号"]


def test_notice_voided_after_the_month_still_counts_in_it(hist_db):
    """Past bulletins stay stable: the notice stood at the check time."""
    mw = hist_db
    mw.now("2026-04-05T09:00:00")
    mw.run("notice", "void", "2", "--reason", "重复下发", check=0)
    d = bulletin_json(mw, "2026-03")
    assert d["summary"]["notices"] == 2


def test_bulletin_issued_once_a_month_after_it_ends(hist_db):
    mw = hist_db
    mw.now("2026-03-25T09:00:00")
    r = mw.run("bulletin", "issue", "--month", "2026-03", check=1)
    assert "not over yet" in r.stderr
    mw.now("2026-04-01T06:00:00")
    out = mw.dir / "b.md"
    bid = mw.run("bulletin", "issue", "--month", "2026-03", "--out", out,
                 check=0).stdout.strip()
    # bulletins have their own series and format
    assert serials(mw, "bulletin") == [(int(bid), "2026年第1期", "issued")]
    assert "**2026年第1期**" in out.read_text(encoding="utf-8")
    r = mw.run("bulletin", "issue", "--previous-month", check=1)
    assert "issued before as 2026年第1期" in r.stderr
    mw.run("bulletin", "void", bid, "--reason", "数据有误", check=0)
    again = mw.run("bulletin", "issue", "--previous-month", "--out",
                   mw.dir / "b2.md", check=0).stdout.strip()
    assert serials(mw, "bulletin") == [(int(bid), "2026年第1期", "void"),
                                       (int(again), "2026年第2期", "issued")]
    # notices keep their own numbers
    assert serials(mw)[-1][1] == "〔2026〕2号"
    listed = mw.json("bulletin", "list")
    assert [(b["serial"], b["state"], b["period"]) for b in listed] == [
        ("2026年第2期", "issued", "2026-03"), ("2026年第1期", "void", "2026-03")]


_BASE = {}


def history_base(factory):
    """The month of history, built once (without the 200 problems: the
    documents do not need them); tests work on copies."""
    if "mw" not in _BASE:
        base = Mediawatch(factory.mktemp("history"))
        history.build(base, big_problems=2)
        _BASE["mw"] = base
    return _BASE["mw"]


def copy_history(factory, mw):
    src = sqlite3.connect(history_base(factory).db_path)
    dst = sqlite3.connect(mw.db_path)
    src.backup(dst)
    dst.close()
    src.close()
    mw.write_config(history.CONFIG)
    return mw


@pytest.fixture
def hist_db(mw, tmp_path_factory):
    return copy_history(tmp_path_factory, mw)


# ---------------------------------------------------------- each account once

def dormant_account(mw):
    """An account that went stale on 5 January; its one problem was
    escalated in place to dormant on 10 February."""
    mw.now("2026-01-05T09:00:00")
    mw.add_unit("TOUR", "县文化和旅游局")
    acc = mw.open_account("TOUR", "douyin", "武平文旅", "--opened",
                          "2025-06-01", uid="dy_wpwl")
    unit = history.unit_id(mw, "TOUR")
    history.state_change(mw, acc, None, "stale", "2026-01-05T10:00:00", None)
    problem = history.auto_problem(mw, acc, unit, "stale",
                                   "2026-01-05T10:00:00")
    return acc, problem


def comparable(bulletin):
    """What a bulletin says of its month, without the day it was drawn up
    (its date and the reply deadline counted from it)."""
    return {k: bulletin[k] for k in ("summary", "accounts", "unqualified",
                                     "problems", "repeat_offenders")}


def test_a_dormant_account_is_listed_once_at_its_worst(mw):
    acc, problem = dormant_account(mw)
    mw.now("2026-02-05T09:00:00")
    january = bulletin_json(mw, "2026-01")
    history.state_change(mw, acc, "stale", "dormant", "2026-02-10T10:00:00",
                         None)
    history.escalate(mw, problem, "2026-02-10T10:00:00")

    mw.now("2026-03-02T09:00:00")
    d = json.loads(mw.run("notice", "preview", "--unit", "TOUR", "--format",
                          "json", check=0).stdout)
    assert d["problem_count"] == 1 and d["account_count"] == 1
    row, = d["problems"]
    assert (row["platform"], row["account"], row["kind"]) == (
        "抖音", "武平文旅", "长期未更新")
    assert row["opened"] == "2026年1月5日"     # when it went stale
    assert "存在1个问题（涉及1个账号" in d["body"][0]
    assert d["findings"].startswith("其中长期未更新账号1个。")
    mw.run("notice", "issue", "--unit", "TOUR", check=0)
    assert mw.sql("SELECT problem_id FROM document_problem") == [(problem,)]

    # February: the escalation is the month's new finding, said as such
    b = bulletin_json(mw, "2026-02")
    acct, = b["accounts"]
    assert (acct["result"], acct["reasons"]) == ("不合格", "长期未更新")
    opened, = b["problems"]["opened"]
    assert (opened["kind"], opened["opened"], opened["escalated"]) == (
        "长期未更新", "2026年1月5日", "2026年2月10日")
    assert opened["detail"] == "长期未更新：超过90天无更新（2026年2月10日由超期未更新升级）"
    assert b["summary"]["problems_opened"] == 1
    assert b["summary"]["problems_escalated"] == 1
    assert "本期新增问题1个（其中由超期未更新升级为长期未更新1个）" in "".join(
        p["text"] for p in b["body"])
    assert [p["kind"] for p in b["problems"]["overdue"]] == ["长期未更新"]

    # January reads as it did before the escalation: stale then
    again = bulletin_json(mw, "2026-01")
    assert comparable(again) == comparable(january)
    acct, = again["accounts"]
    assert (acct["result"], acct["reasons"]) == ("不合格", "超期未更新")
    opened, = again["problems"]["opened"]
    assert (opened["kind"], opened["detail"], opened["escalated"]) == (
        "超期未更新", "超过14天未更新", "")

    report = json.loads(mw.run("report", "--format", "json", check=0).stdout)
    assert [p["kind"] for p in report["problems"]] == ["长期未更新"]
    assert report["units"][0]["accounts"][0]["open_problems"] == 1
    status = mw.json("status")
    assert (status["open_problems"], status["problem_accounts"]) == (1, 1)


def test_a_unit_not_updating_for_three_months_is_a_repeat_offender_across_the_escalation(mw):
    """Stale in January, dormant from February: one condition three months
    running, named by its kind in the month of the bulletin; January's
    bulletin, drawn up later, still calls it stale."""
    acc, problem = dormant_account(mw)
    history.escalate(mw, problem, "2026-02-10T10:00:00")
    mw.now("2026-04-02T09:00:00")
    march = bulletin_json(mw, "2026-03")
    offender, = march["repeat_offenders"]
    assert (offender["unit_name"], offender["kind"], offender["months"],
            offender["accounts"]) == (
        "县文化和旅游局", "长期未更新", ["2026-01", "2026-02", "2026-03"],
        "抖音“武平文旅”")
    assert bulletin_json(mw, "2026-01")["repeat_offenders"] == []
    assert bulletin_json(mw, "2026-01")["accounts"][0]["reasons"] == "超期未更新"


def test_accounts_sharing_platform_and_name_carry_their_uid(mw):
    mw.now("2026-01-05T09:00:00")
    mw.add_unit("TOUR", "县文化和旅游局")
    for uid, platform in (("dy_1", "douyin"), ("dy_2", "douyin"),
                          ("wb_1", "weibo")):
        acc = mw.open_account("TOUR", platform, "武平文旅", "--opened",
                              "2025-06-01", uid=uid)
        mw.run("problem", "add", "--account", str(acc), "--detail",
               "简介信息过期", check=0)
        history.state_change(mw, acc, None, "fresh", "2026-01-05T10:00:00",
                             None)
    d = json.loads(mw.run("notice", "preview", "--unit", "TOUR", "--format",
                          "json", check=0).stdout)
    assert [(p["platform"], p["account"]) for p in d["problems"]] == [
        ("抖音", "武平文旅（dy_1）"), ("抖音", "武平文旅（dy_2）"),
        ("微博", "武平文旅")]


def test_a_bulletin_tells_apart_an_account_and_its_closed_namesake(mw):
    """An active account and a closed one of the same platform and name,
    the closed one named only in the month's problems: both carry their
    uid in every format, as when both were active."""
    mw.now("2026-01-05T09:00:00")
    mw.add_unit("TOUR", "县文化和旅游局")
    old, new = (mw.open_account("TOUR", "douyin", "武平文旅", "--opened",
                                "2025-06-01", uid=uid)
                for uid in ("dy_old", "dy_new"))
    for acc in (old, new):
        history.state_change(mw, acc, None, "fresh", "2026-01-05T10:00:00",
                             None)
    mw.run("problem", "add", "--account", str(old), "--detail",
           "简介信息过期", check=0)
    mw.now("2026-01-06T09:00:00")
    mw.run("account", "close", str(old), "--reason", "整合", check=0)
    mw.now("2026-01-20T09:00:00")
    d = bulletin_json(mw, "2026-01")
    assert [a["account"] for a in d["accounts"]] == ["武平文旅（dy_new）"]
    assert [p["account"] for p in d["problems"]["opened"]] == [
        "武平文旅（dy_old）"]
    for fmt in ("html", "txt"):           # (Markdown escapes the "_")
        text = mw.run("bulletin", "preview", "--month", "2026-01",
                      "--format", fmt, check=0).stdout
        assert "武平文旅（dy_new）" in text and "武平文旅（dy_old）" in text, fmt


# ---------------------------------------------------------- a large registry

N_LARGE = 505            # more than the documents list one by one (500)


@pytest.fixture
def large(mw, feeds):
    """N_LARGE accounts of 县政府办公室 that posted the day before and one
    quiet for 8 days (a warning), and three of 县教育局 quiet since
    1 November, evaluated on 2 December.  The first account and the first
    quiet one share their platform and name."""
    mw.write_config('poll = { interval = "1h"; jitter = 0; timeout = "5s";'
                    ' concurrency = 64; per_host = 64; };\n'
                    'mail = { digest_time = "23:59"; };\n'
                    'document = { unit_order = [ "GOV", "EDU" ]; };')
    mw.now("2026-12-02T09:00:00")
    mw.add_unit("GOV", "县政府办公室")
    mw.add_unit("EDU", "县教育局")
    fresh = rss(("a1", at("2026-12-01T10:00:00")))
    quiet = rss(("b1", at("2026-11-01T10:00:00")))
    warned = rss(("c1", at("2026-11-24T09:00:00")))
    rows = ["unit_code,platform,name,platform_uid,feed_url,operator,"
            "filing_no,opened_on"]
    for i in range(N_LARGE + 4):
        unit, body = ("GOV", fresh) if i < N_LARGE else ("EDU", quiet)
        if i == N_LARGE + 3:
            unit, body = "GOV", warned
        url = feeds.serve(f"/f/{i}.xml", body)
        name = f"账号{N_LARGE if i == 0 else i:03d}"
        rows.append(f"{unit},weibo,{name},uid{i},{url},,,2020-01-01")
    mw.run("account", "import", mw.write("ledger.csv", "\n".join(rows) +
                                         "\n"), check=0)
    evaluate(mw, "2026-12-02T10:00:00")
    return mw


def test_a_large_registry_bulletin_lists_the_accounts_to_act_on(large):
    mw = large
    d = bulletin_json(mw, "2026-12")
    # the data keeps every account, for the JSON and the CSV
    assert len(d["accounts"]) == N_LARGE + 4
    assert [a["account"] for a in d["unqualified"]] == [
        "账号505（uid505）", "账号506", "账号507"]
    csv = mw.run("bulletin", "preview", "--month", "2026-12", "--format",
                 "csv", check=0).stdout
    assert len(csv.splitlines()) == N_LARGE + 5
    for fmt in ("html", "md", "txt"):
        text = mw.run("bulletin", "preview", "--month", "2026-12",
                      "--format", fmt, check=0).stdout
        # the unqualified accounts by name, told apart from a namesake
        # not listed as when every account is; the others counted
        assert all(f"账号{i}" in text for i in (506, 507)), fmt
        assert "账号505（uid505）" in text and "uid0" not in text, fmt
        assert "账号001" not in text and "账号508" not in text, fmt
        assert f"本期纳入监测的账号共{N_LARGE + 4}个" in text, fmt
        # the month's problems counted per unit, not listed one by one
        assert "各单位问题和通报情况" in text, fmt
        assert "本期新增问题" in text and "附表：本期新增问题" not in text, fmt
    md = mw.run("bulletin", "preview", "--month", "2026-12", check=0).stdout
    table = md.split("## 附表：各单位问题和通报情况")[1].split("\n## ")[0]
    assert "| 县教育局 | 3 | 0 | 0 | 0 | 0 | 0 |" in table
    assert "县政府办公室" not in table         # nothing to count


def test_a_large_registry_counts_the_problems_it_does_not_list(large):
    """The documents of a large registry count the month's problems per
    unit where the JSON lists them: the counts, the body's sentences and
    the units named are the lists' own, escalated, closed and overdue
    ones too."""
    mw = large
    first, second, third = [p for p, in mw.sql(
        "SELECT id FROM problem WHERE kind = 'stale' ORDER BY id")]
    history.escalate(mw, first, "2026-12-05T10:00:00")
    mw.now("2026-12-06T09:00:00")
    mw.run("problem", "close", str(second), "--reason", "rectified",
           "--note", "已更新", check=0)
    wording = int(mw.run("problem", "add", "--account", "1", "--kind",
                         "wording", "--detail", "严重表述错误：领导人姓名错误",
                         "--due", "2027-01-15",
                         check=0).stdout)
    con = sqlite3.connect(mw.db_path, timeout=30)
    with con:
        con.execute("UPDATE problem SET severity = 'serious' WHERE id = ?",
                    (wording,))
    con.close()
    mw.now("2026-12-31T09:00:00")          # the others past their deadline
    d = bulletin_json(mw, "2026-12")
    lists = d["problems"]
    counts = {key: len(lists[key]) for key in ("opened", "closed", "overdue")}
    assert counts == {"opened": 4, "closed": 1, "overdue": 2}
    assert d["summary"]["problems_escalated"] == 1
    assert {r["unit_name"] for r in lists["overdue"]} == {"县教育局"}
    md = mw.run("bulletin", "preview", "--month", "2026-12", check=0).stdout
    for p in d["body"]:
        assert p["text"] in md
    assert "县教育局共有2个问题超过整改期限仍未整改" in md
    table = md.split("## 附表：各单位问题和通报情况")[1].split("\n## ")[0]
    assert "| 县教育局 | 3 | 1 | 2 | 0 | 0 | 0 |" in table
    assert "| 县政府办公室 | 1 | 0 | 0 | 0 | 0 | 0 |" in table
    # the unqualified counted by reason as their rows give them
    unqualified = d["unqualified"]
    by_reason = [sum(why in a["reasons"] for a in unqualified)
                 for why in ("长期未更新", "超期未更新", "严重表述错误")]
    dormant, stale, serious = by_reason
    assert (dormant, serious) == (1, 1) and stale > 2   # quiet since 1 Dec
    assert (f"本期不合格账号{len(unqualified)}个，其中长期未更新{dormant}个、"
            f"超期未更新{stale}个、存在严重表述错误{serious}个") in md
    assert "请县政府办公室、县教育局对照" in md


def test_a_large_registry_report_lists_the_accounts_to_act_on(large):
    mw = large
    page = mw.run("report", check=0).stdout
    assert "各单位需处理的账号" in page
    assert all(f"账号{i}" in page for i in (505, 506, 507))
    # fresh accounts and the warning are counted, not listed
    assert "账号001" not in page and "账号508" not in page
    d = json.loads(mw.run("report", "--format", "json", check=0).stdout)
    assert d["listed"] == "action"
    s = d["summary"]
    assert s["accounts"] == N_LARGE + 4
    assert (s["fresh"], s["warning"], s["stale"]) == (N_LARGE, 1, 3)
    status = mw.json("status")
    assert d["summary"]["open_problems"] == status["open_problems"] == 3
    # the open problems counted per unit, as the accounts are, not listed
    assert "problems" not in d
    assert [(c["unit_name"], c["open"], c["overdue"])
            for c in d["problem_counts"]] == [("县教育局", 3, 0)]
    counts = page.split("<h2>各单位未整改问题</h2>")[1]
    assert re.search(r"<td>县教育局</td><td[^>]*>3</td><td[^>]*>0</td>",
                     counts)
    assert "<h2>未整改问题</h2>" not in page
    mw.now("2026-12-31T09:00:00")          # past their deadline
    d = json.loads(mw.run("report", "--format", "json", check=0).stdout)
    assert [(c["open"], c["overdue"]) for c in d["problem_counts"]] == [
        (3, 3)]
    assert d["summary"]["overdue_problems"] == 3


# ---------------------------------------------------------- the .docx

@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """A notice and a bulletin of the shared history as .docx, each also
    converted to PDF once."""
    out = tmp_path_factory.mktemp("docx")
    base = copy_history(tmp_path_factory, Mediawatch(out))
    base.write_config(history.CONFIG.replace(
        "notice = {", 'notice = {\n\tissuer = "武夷山市电子政务中心";') + """
document = {
	issuer_mark = "武夷山市电子政务中心文件";
	copy_to = "市委网信办，市政府办公室";
	unit_order = [ "GOV", "EDU" ];
};
""")
    base.now("2026-04-01T09:00:00")
    notice = out / "notice.docx"
    base.run("notice", "show", "1", "--format", "docx", "--out", notice,
             check=0)
    bulletin = out / "bulletin.docx"
    base.run("bulletin", "issue", "--month", "2026-03", "--format", "docx",
             "--out", bulletin, check=0)
    bid = base.sql("SELECT max(id) FROM document WHERE kind = 'bulletin'"
                   )[0][0]
    return {"notice": notice, "bulletin": bulletin, "bulletin_id": bid,
            "dir": out, "mw": base}


@pytest.fixture(scope="module")
def pdfs(documents):
    return {k: to_pdf(documents["dir"], documents[k])
            for k in ("notice", "bulletin")}


def test_notice_docx_structure(documents):
    document = docx.Document(documents["notice"])
    serial, = by_style(document, "GwSerial")
    assert serial.text == "〔2026〕1号"
    title, = by_style(document, "GwTitle")
    assert title.text == "关于市政府办公室政务新媒体账号\n存在问题的通报"
    addressee, = by_style(document, "GwAddressee")
    assert addressee.text == "市政府办公室："
    assert [p.text for p in by_style(document, "GwHeading1")] == [
        "一、存在问题", "二、整改要求"]
    assert [p.runs[0].text for p in by_style(document, "GwHeading2")] == [
        "（一）限期整改。", "（二）在线回复。", "（三）健全长效机制。"]
    assert "请于2026年3月30日前" in by_style(document, "GwHeading2")[0].text
    date, = by_style(document, "GwDate")
    assert date.text == "2026年3月16日"
    note, = by_style(document, "GwAttachNote")
    assert note.text == "附件：政务新媒体账号问题清单"
    table = document.tables[0]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["序号", "平台", "账号名称", "问题", "最近更新",
                       "监测依据"]
    assert rows[1] == ["1", "微信公众号", "武夷山政务",
                       "超期未更新\n34天未更新", "2026年2月10日",
                       "账号ID m1"]
    assert len(rows) == 3
    # the notice was issued before the frame was configured: its own
    # issuer and no 抄送 (issued documents never change)
    assert by_style(document, "GwMark")[0].text == "电子政务中心文件"
    imprint = [c.text for r in document.tables[-1].rows for c in r.cells]
    assert imprint == ["电子政务中心\t2026年3月16日印发"]


def test_bulletin_docx_structure(documents):
    document = docx.Document(documents["bulletin"])
    assert by_style(document, "GwMark")[0].text == "武夷山市电子政务中心文件"
    serial, = by_style(document, "GwSerial")
    assert serial.text == "2026年第1期"
    title, = by_style(document, "GwTitle")
    assert title.text == "关于2026年3月政务新媒体\n监测情况的通报"
    assert by_style(document, "GwAddressee")[0].text == "各责任单位："
    assert [p.text for p in by_style(document, "GwHeading1")] == [
        "一、总体情况", "二、各单位情况", "三、存在问题", "四、工作要求"]
    assert [p.text for p in by_style(document, "GwAttachNote")] == [
        "附件：1.各单位政务新媒体监测情况及排名", "2.各单位整改工单办理情况",
        "3.不合格政务新媒体账号名单"]
    assert by_style(document, "GwSignature")[0].text == "武夷山市电子政务中心"
    assert by_style(document, "GwDate")[0].text == "2026年4月1日"
    ranking, orders, unqualified, imprint = document.tables
    rows = [[c.text for c in r.cells] for r in ranking.rows]
    assert rows[0][:2] == ["排名", "责任单位"]
    # equal pass rates: the unit that left its work order unanswered past
    # its deadline ranks below
    assert [r[:2] for r in rows[1:]] == [["1", "市文化和旅游局"],
                                         ["2", "市教育局"],
                                         ["3", "市政府办公室"]]
    rows = [[c.text for c in r.cells] for r in orders.rows]
    assert rows[0] == ["责任单位", "收到工单", "按期回复", "逾期回复", "被退回",
                       "未办结", "逾期未回复", "逾期未回复通报"]
    assert len(rows) > 1 and all(r[0] for r in rows[1:])
    rows = [[c.text for c in r.cells] for r in unqualified.rows]
    assert [r[1:4] for r in rows[1:]] == [
        ["市政府办公室", "微信公众号", "武夷山政务"],
        ["市教育局", "抖音", "武夷山教育"]]
    assert [c.text for r in imprint.rows for c in r.cells] == [
        "抄送：市委网信办，市政府办公室。",
        "武夷山市电子政务中心\t2026年4月1日印发"]


def test_docx_is_the_same_bytes_each_time(documents, tmp_path):
    mw = documents["mw"]
    again = tmp_path / "again.docx"
    mw.run("bulletin", "show", str(documents["bulletin_id"]), "--format",
           "docx", "--out", again, check=0)
    assert again.read_bytes() == documents["bulletin"].read_bytes()
    # and through a pipe
    piped = mw.exec([mw.ctl_path, "-c", mw.conf_path, "bulletin", "show",
                     str(documents["bulletin_id"]), "--format", "docx"],
                    check=0)
    assert piped.returncode == 0


def test_notice_pdf_text(pdfs):
    text = flat(pdf_text(pdfs["notice"]))
    for part in ("电子政务中心文件", "〔2026〕1号",
                 "关于市政府办公室政务新媒体账号存在问题的通报",
                 "市政府办公室：", "附件：政务新媒体账号问题清单",
                 "2026年3月16日", "武夷山政务", "账号IDm1",
                 "电子政务中心2026年3月16日印发"):
        assert part in text, part
    assert "2026-03" not in text


def test_bulletin_pdf_text(pdfs):
    pages = pdf_pages(pdfs["bulletin"])
    text = flat(pdf_text(pdfs["bulletin"]))
    for part in ("武夷山市电子政务中心文件", "2026年第1期",
                 "关于2026年3月政务新媒体监测情况的通报", "各责任单位：",
                 "合格率60.0%", "各单位政务新媒体监测情况及排名",
                 "各单位整改工单办理情况", "不合格政务新媒体账号名单",
                 "2026年4月1日",
                 "抄送：市委网信办，市政府办公室。"):
        assert part in text, part
    last = flat(pdf_text(pdfs["bulletin"], pages))
    assert last.startswith("附件3不合格政务新媒体账号名单")
    assert "2026年4月1日印发" in last
    assert re.search(r"2026-0\d", text) is None


def test_preview_docx_has_no_number_and_says_so(mw, tmp_path):
    mw.add_unit("GOV", "县政府办公室")
    mw.now("2026-12-02T09:00:00")
    mw.run("problem", "add", "--unit", "GOV", "--detail", "未建立台账",
           check=0)
    out = tmp_path / "preview.docx"
    mw.run("notice", "preview", "--unit", "GOV", "--format", "docx", "--out",
           out, check=0)
    document = docx.Document(out)
    assert by_style(document, "GwSerial")[0].text == ""
    assert by_style(document, "GwNote")[0].text == (
        "（预览稿，未编号，不作正式文件使用）")
    assert mw.sql("SELECT count(*) FROM document")[0][0] == 0
    r = mw.run("report", "--format", "docx", check=2)
    assert "--format must be one of html, json" in r.stderr


# ---------------------------------------------------------- the migration

OLD_NOTICE = {
    "kind": "notice", "title": "政务新媒体点对点通报", "serial": "〔2026〕第1期",
    "year": 2026, "sequence": 1, "issuer": "电子政务中心",
    "unit_code": "GOV", "unit_name": "市政府办公室", "contact": "张三",
    "check_time": "2026-03-16 09:30", "issued": "2026-03-16",
    "rectify_days": 10, "due": "2026-03-30", "problem_count": 1,
    "body": ["经监测，截至2026-03-16 09:30，贵单位作为责任单位的政务新媒体"
             "账号存在以下1个问题。现予通报，请认真整改。"],
    "requirements": ["请于2026-03-30前（10个工作日内）完成整改。",
                     "请于2026-03-30前将整改情况书面报送电子政务中心。"],
    "problems": [{"no": 1, "platform": "—", "account": "（单位整体）",
                  "kind": "人工核查问题", "detail": "未建立台账",
                  "last_update": "—", "days": "—", "opened": "2026-03-10",
                  "evidence": "人工核查"}],
}


def test_notices_issued_before_the_register_keep_their_number(mw, tmp_path):
    """A database of schema 6 with a notice in the old table: after the
    migration it is document 1, its number taken, and it still prints, as
    text and as a 公文."""
    con = sqlite3.connect(mw.db_path)
    for n in range(1, 7):
        path, = (mw.repo / "sql").glob(f"{n:04d}_*.sql")
        con.executescript(path.read_text(encoding="utf-8"))
    con.execute("PRAGMA user_version = 6")
    con.execute("INSERT INTO unit (id, code, name, created_at) VALUES"
                " (1, 'GOV', '市政府办公室', 0)")
    con.execute("INSERT INTO problem (id, unit_id, kind, detail, opened_at,"
                " opened_by) VALUES (1, 1, 'manual', '未建立台账', 0, 'x')")
    con.execute("INSERT INTO notice (id, year, sequence, serial, unit_id,"
                " issued_at, issued_by, due_on, data) VALUES (1, 2026, 1,"
                " '〔2026〕第1期', 1, ?, 'zhoumin', '2026-03-30', ?)",
                (history.ts("2026-03-16T09:30:00"),
                 json.dumps(OLD_NOTICE, ensure_ascii=False)))
    con.execute("INSERT INTO notice_problem VALUES (1, 1)")
    con.commit()
    con.close()
    mw.now("2026-03-20T09:00:00")
    listed, = mw.json("notice", "list")
    assert (listed["id"], listed["serial"], listed["state"],
            listed["problems"]) == (1, "〔2026〕第1期", "issued", 1)
    assert "notice" not in mw.tables() and "document" in mw.tables()
    assert mw.sql("SELECT * FROM document_problem") == [(1, 1)]
    text = mw.run("notice", "show", "1", "--format", "txt", check=0).stdout
    assert "1. 请于2026-03-30前（10个工作日内）完成整改。" in text
    out = tmp_path / "old.docx"
    mw.run("notice", "show", "1", "--format", "docx", "--out", out, check=0)
    document = docx.Document(out)
    assert by_style(document, "GwSerial")[0].text == "〔2026〕第1期"
    assert by_style(document, "GwMark")[0].text == "电子政务中心文件"
    assert by_style(document, "GwDate")[0].text == "2026年3月16日"
    # the next notice of 2026 is number 2
    mw.run("notice", "issue", "--unit", "GOV", check=0)
    assert mw.sql("SELECT sequence FROM document ORDER BY id") == [(1,), (2,)]
