"""One problem per account and condition, and a history that stays as it
was (issue 15, items 1 and 3).

A stale account that turns dormant escalates its open problem in place
(the same row; the escalation is an event of the problem), never two
problems at once; posting again closes it (销号); counts take each account
once.  Reopening a closed problem opens a new one that names it, so a past
month's bulletin reads the same afterwards.  Databases evaluated before
this change, with a stale and a dormant problem open for one account, are
merged by the migration."""

import sqlite3

from feedserver import feeds  # noqa: F401  (fixture)
from olddb import database_at, unit_with_accounts
from smtpserver import smtp  # noqa: F401  (fixture)
from test_alerts import (BASE, DAY, HOUR, REGISTERED, Scenario, configure,
                         cycle, parts, problems, states)
from workdays import deadline

import pytest


@pytest.fixture
def sc(mw, feeds, smtp):
    configure(mw, smtp)
    return Scenario(mw, feeds)


def events(mw):
    return mw.sql("SELECT problem_id, at, actor, action, from_kind, to_kind,"
                  " detail_before, other_id FROM problem_event ORDER BY id")


def test_a_stale_account_turning_dormant_escalates_its_one_problem(sc, smtp):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山旅游", BASE - 20 * DAY, platform="douyin")
    cycle(mw, BASE)
    (p,) = problems(mw)
    assert (p["kind"], p["detail"], p["due_at"]) == (
        "stale", "超期未更新：监测时间点前2周内无更新", deadline(BASE))

    # 91 days without update: dormant, the same problem escalated
    t = BASE + 71 * DAY
    cycle(mw, t)
    assert states(mw) == {acc: "dormant"}
    (q,) = problems(mw)
    assert (q["id"], q["kind"], q["detail"], q["opened_at"], q["due_at"],
            q["closed_at"]) == (p["id"], "dormant", "长期未更新：超过90天无更新",
                                BASE, p["due_at"], None)
    assert events(mw) == [(p["id"], t, "mediawatchd", "escalated", "stale",
                           "dormant", "超期未更新：监测时间点前2周内无更新",
                           None)]
    shown = mw.json("problem", "show", str(p["id"]))
    assert shown["escalated_at"] == t
    # the unit's email names the account once, as dormant
    mail = [d for d in smtp.wait_for(2)
            if "长期未更新" in parts(d.message)["text/plain"]][-1]
    text = parts(mail.message)["text/plain"]
    assert text.count("「武夷山旅游」") == 1
    assert "【长期未更新】" in text and "【超期未更新" not in text

    # staying dormant escalates nothing more
    cycle(mw, t + DAY)
    assert len(problems(mw)) == 1 and len(events(mw)) == 1

    # counted once, at its worst, next to a problem of another condition
    mw.now(t + DAY + HOUR)
    mw.run("problem", "add", "--account", str(acc), "--kind", "wording",
           "--detail", "转发内容出现错别字", check=0)
    st = mw.json("status")
    assert (st["open_problems"], st["problem_accounts"]) == (2, 1)
    assert st["states"]["dormant"] == 1 and st["states"]["stale"] == 0

    # posting again closes it (销号)
    sc.post(acc, t + 2 * DAY - HOUR)
    cycle(mw, t + 2 * DAY)
    assert states(mw) == {acc: "fresh"}
    q = problems(mw, "id = ?", (p["id"],))[0]
    assert (q["closed_at"], q["close_reason"]) == (t + 2 * DAY, "recovered")
    assert len(problems(mw, "kind IN ('stale', 'dormant')")) == 1


def test_an_account_first_seen_dormant_opens_one_dormant_problem(sc):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山旅游", BASE - 120 * DAY)
    cycle(mw, BASE)
    cycle(mw, BASE + DAY)
    assert [(p["account_id"], p["kind"]) for p in problems(mw)] == [
        (acc, "dormant")]
    assert events(mw) == []
    # the database itself refuses a second open problem of the condition
    con = sqlite3.connect(mw.db_path)
    with pytest.raises(sqlite3.IntegrityError):
        with con:
            con.execute("INSERT INTO problem (account_id, unit_id, kind,"
                        " detail, opened_at, opened_by) SELECT id, unit_id,"
                        " 'stale', 'x', 1, 'test' FROM account")
    con.close()


def test_reopening_leaves_a_past_months_bulletin_as_it_was(sc):
    mw = sc.mw
    sc.unit("GOV", "武夷山市人民政府办公室", "gov@example.gov.cn")
    acc = sc.account("GOV", "武夷山发布", BASE - 20 * DAY)
    cycle(mw, BASE)                              # stale on 2 March
    sc.post(acc, BASE + 8 * DAY - HOUR)
    cycle(mw, BASE + 8 * DAY)                    # 销号 on 10 March
    (p,) = problems(mw)
    assert p["close_reason"] == "recovered"

    april = BASE + 31 * DAY                      # 2 April
    mw.now(april)
    before = mw.run("bulletin", "--month", "2026-03", "--format", "json",
                    check=0).stdout
    assert "武夷山发布" in before
    mw.now(april + HOUR)
    again = int(mw.run("problem", "reopen", str(p["id"]), "--note",
                       "复查发现仍未正常更新", check=0).stdout)
    mw.now(april + 2 * HOUR)
    after = mw.run("bulletin", "--month", "2026-03", "--format", "json",
                   check=0).stdout
    assert after == before

    old, new = problems(mw)
    assert (old["id"], old["closed_at"], old["close_reason"]) == (
        p["id"], BASE + 8 * DAY, "recovered")
    assert (new["id"], new["kind"], new["opened_at"], new["closed_at"],
            new["reopened_from"], new["due_at"]) == (
        again, "stale", april + HOUR, None, p["id"], deadline(april + HOUR))
    assert events(mw) == [(p["id"], april + HOUR, mw.sql(
        "SELECT actor FROM audit WHERE action = 'problem.reopen'")[0][0],
        "reopened", None, None, None, again)]

    # a second reopening of the same condition is refused while one is open
    r = mw.run("problem", "reopen", str(p["id"]), "--note", "再次", check=1)
    assert "open problem of this condition" in r.stderr


# ------------------------------------------------------------ migration

def test_the_migration_merges_a_stale_and_a_dormant_problem_of_one_account(
        mw):
    configure(mw)
    # the schema before the change: every migration before 0010
    con = database_at(mw.db_path, 9)
    with con:
        unit_with_accounts(con, (1, 2))
        rows = [
            # account 1: both open (the double count of issue 15)
            (1, 1, "stale", "超期未更新", 1000, None),
            (2, 1, "dormant", "长期未更新", 5000, None),
            # account 2: a closed pair of the past, left as it was
            (3, 2, "stale", "超期未更新", 1000, 9000),
            (4, 2, "dormant", "长期未更新", 5000, 9000),
        ]
        for pid, acc, kind, detail, opened, closed in rows:
            con.execute("INSERT INTO problem (id, account_id, unit_id, kind,"
                        " detail, opened_at, opened_by, due_at, closed_at,"
                        " close_reason) VALUES (?, ?, 1, ?, ?, ?,"
                        " 'mediawatchd', 99999, ?, ?)",
                        (pid, acc, kind, detail, opened, closed,
                         "recovered" if closed else None))
    con.close()

    mw.run("problem", "list", check=0)           # opens and migrates
    got = {p["id"]: p for p in problems(mw)}
    assert (got[1]["kind"], got[1]["closed_at"], got[1]["due_at"]) == (
        "dormant", None, 99999)
    assert (got[2]["closed_at"], got[2]["close_reason"]) == (5000, "waived")
    assert "#1" in got[2]["close_note"]
    for pid in (3, 4):
        assert (got[pid]["closed_at"], got[pid]["close_reason"]) == (
            9000, "recovered")
    assert [(e[0], e[1], e[3], e[4], e[5], e[6]) for e in events(mw)] == [
        (1, 5000, "escalated", "stale", "dormant", "超期未更新")]
    st = mw.json("status")
    assert (st["open_problems"], st["problem_accounts"]) == (1, 1)


def test_refused_reopen_changes_nothing(mw):
    configure(mw)
    mw.now(REGISTERED)
    mw.add_unit("GOV", "武夷山市人民政府办公室")
    acc = mw.open_account("GOV", "weibo", "武夷山发布")
    pid = int(mw.run("problem", "add", "--account", str(acc), "--detail",
                     "转载未注明来源", check=0).stdout)
    before = mw.dump()
    r = mw.run("problem", "reopen", str(pid), "--note", "x", check=1)
    assert "open already" in r.stderr
    r = mw.run("problem", "reopen", "999", "--note", "x", check=1)
    assert "no such problem" in r.stderr
    assert mw.dump() == before
