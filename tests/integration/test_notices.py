"""Notices (点对点通报), monthly bulletins (月通报) and the status report:
golden files for every format, serial numbers across years, byte-identical
re-rendering, history-stable bulletins and repeat-offender detection.

Set MEDIAWATCH_UPDATE_GOLDEN=1 to rewrite the golden files after an
intended change, then review the diff.
"""

import json
import os
import sqlite3

import pytest

import notice_history as history
from conftest import Mediawatch

GOLDEN = history.__file__.rsplit("/", 2)[0] + "/fixtures/golden"
UPDATE = os.environ.get("MEDIAWATCH_UPDATE_GOLDEN") == "1"


def golden(name, text):
    path = os.path.join(GOLDEN, name)
    if UPDATE:
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    with open(path, encoding="utf-8", newline="") as f:
        want = f.read()
    assert text == want, f"{name} differs from the golden file"


@pytest.fixture(scope="module")
def built_history(tmp_path_factory):
    """The history is built once (200 problems through the CLI take a
    while); each test gets its own copy of the database."""
    base = Mediawatch(tmp_path_factory.mktemp("history"))
    acc = history.build(base)
    return base, acc


@pytest.fixture
def hist(mw, built_history):
    base, acc = built_history
    src = sqlite3.connect(base.db_path)
    dst = sqlite3.connect(mw.db_path)
    src.backup(dst)
    dst.close()
    src.close()
    mw.write_config(history.CONFIG)
    return mw, acc


# ---- notices ----

@pytest.mark.parametrize("fmt", ["md", "html", "txt", "json"])
def test_notice_formats_match_golden(hist, fmt):
    mw, _ = hist
    out = mw.run("notice", "show", "1", "--format", fmt, check=0).stdout
    golden(f"notice-gov.{fmt}", out)


def test_notice_lists_open_problems_with_deadline_in_working_days(hist):
    mw, _ = hist
    d = json.loads(mw.run("notice", "show", "1", "--format", "json",
                          check=0).stdout)
    assert d["serial"] == "〔2026〕1号"
    assert d["unit_name"] == "市政府办公室" == d["addressee"]
    assert d["title"] == "关于市政府办公室政务新媒体账号存在问题的通报"
    # issued Monday 16 March: 10 working days later, no holiday between
    assert (d["due_on"], d["due"]) == ("2026-03-30", "2026年3月30日")
    assert (d["issued_on"], d["issued"]) == ("2026-03-16", "2026年3月16日")
    kinds = [p["kind"] for p in d["problems"]]
    # the stale problem was open at the check time (closed on 25 March)
    assert kinds == ["超期未更新", "人工核查问题"]
    stale = d["problems"][0]
    assert stale["account"] == "武夷山政务" and stale["platform"] == "微信公众号"
    # the account's public identity, not the feed a unit cannot use
    assert stale["evidence"] == "账号ID m1"
    assert stale["last_update"] == "2026年2月10日"
    assert d["requirements"][1]["heading"] == "（二）书面报送。"
    assert "书面报送电子政务中心" in d["requirements"][1]["text"]


def test_notice_with_200_problems(hist):
    mw, _ = hist
    d = json.loads(mw.run("notice", "show", "2", "--format", "json",
                          check=0).stdout)
    assert d["problem_count"] == 200 and len(d["problems"]) == 200
    assert d["problems"][199]["no"] == 200
    assert mw.sql("SELECT count(*) FROM document_problem WHERE"
                  " document_id = 2")[0][0] == 200
    golden("notice-big.txt", mw.run("notice", "show", "2", "--format", "txt",
                                    check=0).stdout)


def test_deadline_skips_holidays_and_counts_make_up_days(hist):
    mw, _ = hist
    # Friday 24 April 2026: the shipped calendar has 劳动节 off 1–5 May and
    # Saturday 9 May worked; the configuration adds Sunday 26 April as a
    # local working day
    mw.now("2026-04-24T10:00:00")
    mw.run("problem", "add", "--unit", "ARC", "--detail", "未建立台账", check=0)
    mw.run("notice", "issue", "--unit", "ARC", check=0)
    d = json.loads(mw.run("notice", "show", "3", "--format", "json",
                          check=0).stdout)
    # 26, 27, 28, 29, 30 Apr, (1–5 May off), 6, 7, 8, 9 (Sat), 11 May
    assert d["due_on"] == "2026-05-11"


def test_reissue_and_show_are_byte_identical(hist, tmp_path):
    mw, _ = hist
    mw.now("2026-03-20T10:00:00")
    for fmt in ("md", "html", "txt", "json"):
        out = tmp_path / f"issued.{fmt}"
        r = mw.run("notice", "issue", "--unit", "EDU", "--format", fmt,
                   "--out", out, check=0)
        nid = r.stdout.strip()
        # later, with another issuer and clock, the stored notice prints
        # the same bytes
        mw.now("2027-01-01T00:00:00")
        again = mw.run("notice", "show", nid, "--format", fmt, check=0).stdout
        assert again.encode() == out.read_bytes()
        mw.now("2026-03-20T10:00:00")


def test_issued_notice_survives_a_configuration_change(hist):
    mw, _ = hist
    before = mw.run("notice", "show", "1", "--format", "txt", check=0).stdout
    mw.write_config('notice = { issuer = "另一个中心"; rectify_days = 3;'
                    ' serial_format = "X%N"; };')
    after = mw.run("notice", "show", "1", "--format", "txt", check=0).stdout
    assert before == after


def test_serials_restart_each_year(mw):
    mw.add_unit("GOV", "市政府办公室")
    mw.now("2025-12-30T09:00:00")
    for _ in range(2):
        mw.run("notice", "issue", "--unit", "GOV", "--allow-empty", check=0)
    mw.now("2026-01-05T09:00:00")
    mw.run("notice", "issue", "--unit", "GOV", "--allow-empty", check=0)
    rows = mw.json("notice", "list")
    assert [r["serial"] for r in rows] == ["〔2026〕1号", "〔2025〕2号",
                                           "〔2025〕1号"]
    assert mw.sql("SELECT year, sequence FROM document ORDER BY id") == [
        (2025, 1), (2025, 2), (2026, 1)]


def test_serial_pattern_is_configurable(mw):
    mw.write_config('notice = { serial_format = "武政新通〔%Y〕%N号"; };')
    mw.add_unit("GOV", "市政府办公室")
    mw.now("2026-02-02T09:00:00")
    mw.run("notice", "issue", "--unit", "GOV", "--allow-empty", check=0)
    assert mw.json("notice", "list")[0]["serial"] == "武政新通〔2026〕1号"


def test_unit_without_problems_is_refused_unless_allowed(mw):
    mw.add_unit("ARC", "市档案馆")
    r = mw.run("notice", "issue", "--unit", "ARC", check=1)
    assert "no open problems" in r.stderr and "--allow-empty" in r.stderr
    assert mw.sql("SELECT count(*) FROM document")[0][0] == 0
    r = mw.run("notice", "issue", "--unit", "ARC", "--allow-empty",
               "--format", "txt", check=0)
    assert "未发现待整改问题" in r.stdout


def test_unknown_unit_and_bad_options(mw):
    assert "no unit" in mw.run("notice", "issue", "--unit", "NOPE",
                               check=1).stderr
    mw.run("notice", "issue", check=2)
    mw.run("notice", "issue", "--unit", "X", "--format", "pdf", check=2)
    mw.run("notice", "show", "x", check=2)
    mw.run("notice", "show", "9", check=1)


def test_send_queues_the_notice_to_the_unit(hist):
    mw, _ = hist
    mw.now("2026-03-20T10:00:00")
    r = mw.run("notice", "issue", "--unit", "GOV", "--send", "--format",
               "txt", check=0)
    rows = mw.sql("SELECT kind, recipients, subject, body_text, body_html"
                  " FROM outbox")
    assert len(rows) == 1
    kind, to, subject, text, html = rows[0]
    assert kind == "notice" and json.loads(to) == ["gov@example.cn"]
    assert "〔2026〕3号" in subject and "市政府办公室" in subject
    # the mail (template unit-notice) carries what was issued: every
    # problem, the deadline and the requirements, in text and HTML
    issued = json.loads(mw.run("notice", "show", "3", "--format", "json",
                               check=0).stdout)
    assert issued["problems"]
    for p in issued["problems"]:
        for field in ("account", "kind", "detail", "opened"):
            assert p[field] in text and p[field] in html, (field, p)
    for req in issued["requirements"]:
        for part in (req["heading"], req["text"]):
            assert part in text and part in html
    for part in (issued["findings"], issued["closing"], issued["due"]):
        assert part in text and part in html
    assert issued["serial"] in text and "<table" in html
    assert mw.json("notice", "list")[0]["sent"] is True


NO_ADDRESS = "该单位未登记联系邮箱，本邮件发送给管理员"


def test_send_to_a_unit_without_addresses_goes_to_the_admins_saying_so(hist):
    mw, _ = hist
    mw.write_config(history.CONFIG + 'mail = { admins = [ "dzzw@example.cn",'
                    ' "ops@example.cn" ]; };\n')
    mw.run("notice", "issue", "--unit", "BIG", "--send", check=0)
    (to, cc, subject, text, html), = mw.sql(
        "SELECT recipients, cc, subject, body_text, body_html FROM outbox")
    assert json.loads(to) == ["dzzw@example.cn", "ops@example.cn"]
    assert json.loads(cc) == []              # To already
    assert "市文化和旅游局" in subject
    assert NO_ADDRESS in text and NO_ADDRESS in html
    # the notice itself is addressed to the unit, as issued
    assert "市文化和旅游局：" in text
    assert mw.json("notice", "list")[0]["sent"] is True


def test_send_to_a_unit_with_addresses_does_not_say_so(hist):
    mw, _ = hist
    mw.write_config(history.CONFIG + 'mail = { admins = [ "dzzw@example.cn" ];'
                    ' };\n')
    mw.run("notice", "issue", "--unit", "GOV", "--send", check=0)
    (to, cc, text), = mw.sql("SELECT recipients, cc, body_text FROM outbox")
    assert (json.loads(to), json.loads(cc)) == (["gov@example.cn"],
                                                ["dzzw@example.cn"])
    assert NO_ADDRESS not in text


# ---- bulletins ----

@pytest.mark.parametrize("fmt", ["md", "html", "txt", "json", "csv"])
def test_bulletin_formats_match_golden(hist, fmt):
    mw, _ = hist
    mw.now("2026-04-01T06:00:00")
    out = mw.run("bulletin", "--month", "2026-03", "--format", fmt,
                 check=0).stdout
    golden(f"bulletin-2026-03.{fmt}", out)


def test_bulletin_figures(hist):
    mw, acc = hist
    mw.now("2026-04-01T06:00:00")
    d = json.loads(mw.run("bulletin", "--month", "2026-03",
                                        "--format", "json", check=0).stdout)
    s = d["summary"]
    # the closed account is not counted; the quiet wechat and the douyin
    # that never posted fail
    assert (s["accounts"], s["qualified"], s["unqualified"]) == (5, 3, 2)
    assert s["pass_rate"] == "60.0%"
    posts = {a["account"]: a["posts"] for a in d["accounts"]}
    assert posts == {"武夷山发布": 5, "武夷山政务": 1, "武夷山教育": 0,
                     "教育发布": 2, "文旅武夷": 1}
    assert [r["account"] for r in d["returned"]] == ["武夷山政务"]
    assert d["returned"][0]["days_quiet"] == 43
    assert s["problems_opened"] == 201 and s["problems_closed"] == 1
    assert s["notices"] == 2
    assert [(r["unit_name"], r["months"]) for r in d["repeat_offenders"]] == [
        ("市教育局", ["2026-01", "2026-02", "2026-03"])]


# What a preview takes from the day it is made: its date and the
# deadline counted from it.  Everything else is the month's.
DATED = ("issued", "issued_on", "due", "due_on", "body")


def figures(text):
    d = json.loads(text)
    return {k: v for k, v in d.items() if k not in DATED}


def test_past_bulletin_is_the_same_whenever_generated(hist):
    mw, acc = hist
    mw.now("2026-04-01T06:00:00")
    first_csv = mw.run("bulletin", "--month", "2026-03", "--format", "csv",
                       check=0).stdout
    first = figures(mw.run("bulletin", "--month", "2026-03", "--format",
                           "json", check=0).stdout)
    issued = {f: mw.run("bulletin", "issue", "--month", "2026-03",
                        "--format", f, check=0).stdout
              for f in ("md",)}
    issued["md"] = mw.run("bulletin", "show", "3", check=0).stdout
    # April happens: posts, a problem closed, an account closed, a notice
    history.post(mw, acc["edu_douyin"], "2026-04-03T10:00:00", "late")
    mw.now("2026-04-10T10:00:00")
    mw.run("problem", "close", "3", "--reason", "rectified", check=0)
    mw.run("account", "close", str(acc["gov_weibo"]), "--reason", "注销",
           check=0)
    mw.run("notice", "issue", "--unit", "EDU", check=0)
    mw.now("2026-06-15T12:00:00")
    assert mw.run("bulletin", "--month", "2026-03", "--format", "csv",
                  check=0).stdout == first_csv
    assert figures(mw.run("bulletin", "--month", "2026-03", "--format",
                          "json", check=0).stdout) == first
    # the issued bulletin prints as it was issued
    assert mw.run("bulletin", "show", "3", check=0).stdout == issued["md"]


def test_month_without_active_accounts(mw):
    """Monitoring began in January; the one account closed before
    February, so February has nothing to count."""
    mw.add_unit("ARC", "市档案馆")
    mw.now("2026-01-05T09:00:00")
    acc = mw.open_account("ARC", "weibo", "档案", uid="arc")
    history.state_change(mw, acc, None, "fresh", "2026-01-05T10:00:00", None)
    mw.now("2026-01-20T09:00:00")
    mw.run("account", "close", str(acc), "--reason", "注销", check=0)
    mw.now("2026-03-02T09:00:00")
    for fmt in ("md", "csv"):
        golden(f"bulletin-empty.{fmt}", mw.run(
            "bulletin", "--month", "2026-02", "--format", fmt,
            check=0).stdout)
    d = json.loads(mw.run("bulletin", "--month", "2026-02", "--format",
                          "json", check=0).stdout)
    assert d["summary"]["accounts"] == 0 and d["summary"]["pass_rate"] == "—"
    assert "本期无在册正常运行的政务新媒体账号。" in d["body"][2]["text"]


def test_current_month_is_judged_now_and_future_refused(hist):
    mw, _ = hist
    mw.now("2026-03-20T12:00:00")
    d = json.loads(mw.run("bulletin", "--month", "2026-03", "--format",
                          "json", check=0).stdout)
    assert d["check_time"] == "2026年3月20日12时" and d["complete"] is False
    r = mw.run("bulletin", "--month", "2026-04", check=1)
    assert "has not started" in r.stderr


def test_previous_month_into_a_folder(hist, tmp_path):
    mw, _ = hist
    mw.now("2026-04-01T06:00:00")
    folder = tmp_path / "bulletins"
    r = mw.run("bulletin", "--previous-month", "--format", "html",
               "--out-dir", folder, check=0)
    path = folder / "bulletin-2026-03.html"
    assert r.stdout.strip() == str(path)
    assert path.read_text(encoding="utf-8") == mw.run(
        "bulletin", "--month", "2026-03", "--format", "html", check=0).stdout
    mw.run("bulletin", check=2)
    mw.run("bulletin", "--month", "2026-3", check=2)
    mw.run("bulletin", "--month", "2026-03", "--previous-month", check=2)
    mw.run("bulletin", "--month", "2026-03", "--out", "x", "--out-dir", "y",
           check=2)


# ---- repeat offenders ----

def offenders_for(mw, months_by_unit, kind="stale", month="2026-05"):
    """Each unit gets one problem of kind open in each listed month (the
    3rd to the 20th); returns the units on the month's deduction list."""
    for code, months in months_by_unit.items():
        mw.add_unit(code, f"单位{code}")
        acc = mw.open_account(code, "weibo", f"账号{code}", "--opened",
                              "2025-10-01", uid=code)
        history.state_change(mw, acc, None, "fresh", "2025-10-01T10:00:00",
                             None)
        uid = history.unit_id(mw, code)
        for m in months:
            history.auto_problem(mw, acc, uid, kind, f"{m}-03T09:00:00",
                                 f"{m}-20T09:00:00", "recovered")
    d = json.loads(mw.run("bulletin", "--month", month, "--format", "json",
                          check=0).stdout)
    return {r["unit"]: r for r in d["repeat_offenders"]}


def test_repeat_offenders_two_three_four_months_and_a_gap(mw):
    mw.now("2026-06-01T06:00:00")
    found = offenders_for(mw, {
        "TWO": ["2026-04", "2026-05"],
        "THREE": ["2026-03", "2026-04", "2026-05"],
        "FOUR": ["2026-02", "2026-03", "2026-04", "2026-05"],
        "GAP": ["2026-02", "2026-03", "2026-05"],
        "ENDED": ["2026-02", "2026-03", "2026-04"],
    })
    assert sorted(found) == ["FOUR", "THREE"]
    assert found["THREE"]["months"] == ["2026-03", "2026-04", "2026-05"]
    assert found["FOUR"]["months_count"] == 4
    assert found["FOUR"]["months"][0] == "2026-02"
    assert found["FOUR"]["accounts"] == "微博“账号FOUR”"


def test_repeat_offender_needs_the_same_kind(mw):
    mw.now("2026-06-01T06:00:00")
    mw.add_unit("MIX", "混合单位")
    acc = mw.open_account("MIX", "weibo", "混合", "--opened", "2025-10-01",
                          uid="mix")
    history.state_change(mw, acc, None, "fresh", "2025-10-01T10:00:00", None)
    uid = history.unit_id(mw, "MIX")
    for m, kind in (("2026-03", "stale"), ("2026-04", "manual"),
                    ("2026-05", "stale")):
        history.auto_problem(mw, acc, uid, kind, f"{m}-03T09:00:00",
                             f"{m}-20T09:00:00", "recovered")
    d = json.loads(mw.run("bulletin", "--month", "2026-05", "--format",
                          "json", check=0).stdout)
    assert d["repeat_offenders"] == []


def test_repeat_months_is_configurable(mw):
    mw.write_config("notice = { repeat_months = 2; };")
    mw.now("2026-06-01T06:00:00")
    assert sorted(offenders_for(mw, {"TWO": ["2026-04", "2026-05"],
                                     "ONE": ["2026-05"]})) == ["TWO"]


def test_one_long_problem_counts_in_every_month_it_was_open(mw):
    mw.now("2026-06-01T06:00:00")
    mw.add_unit("LONG", "长期单位")
    acc = mw.open_account("LONG", "weibo", "长期", "--opened", "2025-10-01",
                          uid="long")
    history.state_change(mw, acc, None, "fresh", "2025-10-01T10:00:00", None)
    history.auto_problem(mw, acc, history.unit_id(mw, "LONG"), "dormant",
                         "2026-03-28T09:00:00", "2026-05-02T09:00:00",
                         "recovered")
    d = json.loads(mw.run("bulletin", "--month", "2026-05", "--format",
                          "json", check=0).stdout)
    assert [(r["unit"], r["kind"], r["months_count"])
            for r in d["repeat_offenders"]] == [("LONG", "长期未更新", 3)]


# ---- the status report ----

def test_report_matches_golden(hist):
    mw, _ = hist
    mw.now("2026-04-01T08:00:00")
    golden("report.html", mw.run("report", check=0).stdout)


def test_report_is_self_contained(hist, tmp_path):
    mw, _ = hist
    mw.now("2026-04-01T08:00:00")
    out = tmp_path / "status.html"
    mw.run("report", "--format", "html", "--out", out, check=0)
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html and "14天" in html and "7天" in html
    for external in ("src=", "href=", "@import", "url("):
        assert external not in html
    assert "@page { size: A4" in html
    mw.run("report", "--format", "csv", check=2)
